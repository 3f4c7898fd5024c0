"""Reads S3 sink output with pyarrow's own type inference, as an analyst would, and prints what it found.

Usage: python3 read_with_pyarrow.py ENDPOINT ACCESS_KEY SECRET_KEY REGION FORMAT PATH
  FORMAT: json or parquet; PATH: bucket/prefix of a (hive-style, time-partitioned) set of objects.
Prints one JSON object: row count, each column's Arrow type, and the rows with values as text (so
that floats, decimals and dates compare exactly).
"""
import json
import sys
from urllib.parse import urlparse

import pyarrow.dataset as ds
import pyarrow.fs as pafs


def text(v):
    if isinstance(v, dict):
        return {k: text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [text(x) for x in v]
    if v is None:
        return None
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def main():
    endpoint, key, secret, region, fmt, path = sys.argv[1:7]
    url = urlparse(endpoint)
    fs = pafs.S3FileSystem(access_key=key, secret_key=secret, region=region,
                           endpoint_override=url.netloc, scheme=url.scheme)
    dataset = ds.dataset(path, format=fmt, filesystem=fs, partitioning="hive")
    table = dataset.to_table()
    print(json.dumps({
        "rows": table.num_rows,
        "types": {f.name: str(f.type) for f in table.schema},
        "data": [{k: text(v) for k, v in row.items()} for row in table.to_pylist()],
    }))


main()
