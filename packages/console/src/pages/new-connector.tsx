import { useEffect, useState } from 'preact/hooks';
import { api, enc, get, type ConfigKeyInfo } from '../api.js';
import { ConfigForm, errorList } from '../components/config-form.js';
import { Notice, usePoll } from '../components/ui.js';

/** Create a connector: a form generated from the plugin's declaration, or a pasted Kafka Connect JSON config. */
export function NewConnectorPage() {
  const plugins = usePoll(() => get<Array<{ class: string; type: string; version?: string }>>('/connector-plugins'), 0);
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [plugin, setPlugin] = useState('');
  const [name, setName] = useState('');
  const [defs, setDefs] = useState<ConfigKeyInfo[]>([]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [json, setJson] = useState('{\n  "name": "",\n  "config": {\n    "connector.class": ""\n  }\n}');
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (!plugin) return;
    setValues({ 'connector.class': plugin });
    get<ConfigKeyInfo[]>(`/connector-plugins/${enc(plugin)}/config`).then(
      (d) => setDefs(d.filter((k) => k.name !== 'name')),
      (e: Error) => setNotice(e.message),
    );
  }, [plugin]);

  const create = async (body: unknown) => {
    try {
      const created = await api<{ name: string }>('POST', '/connectors', body);
      location.hash = `#/connectors/${encodeURIComponent(created.name)}`;
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const fromJson = () => {
    try {
      const parsed = JSON.parse(json) as Record<string, unknown>;
      // A flat map (as connect-standalone's files) is accepted too.
      void create(parsed.config ? parsed : { name: parsed.name, config: parsed });
    } catch (e) {
      setNotice(`Not JSON: ${(e as Error).message}`);
    }
  };
  const problems = errorList(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== 'name')));
  return (
    <section>
      <h1 tabIndex={-1}>New connector</h1>
      <div class="row" role="radiogroup" aria-label="How to give the config">
        <label>
          <input type="radio" name="mode" checked={mode === 'form'} onChange={() => setMode('form')} /> Form
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'json'} onChange={() => setMode('json')} /> Paste JSON
        </label>
      </div>
      {notice && <Notice kind="error">{notice}</Notice>}
      {mode === 'json' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            fromJson();
          }}
        >
          <label for="json">Kafka Connect config: {'{"name": …, "config": {…}}'} or a flat map with "name"</label>
          <textarea
            id="json"
            rows={16}
            value={json}
            onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)}
          />
          <button type="submit">Create</button>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create({ name, config: values });
          }}
        >
          <div class="field">
            <label for="plugin">Plugin</label>
            <div class="field-input">
              <select id="plugin" value={plugin} onChange={(e) => setPlugin((e.target as HTMLSelectElement).value)}>
                <option value="">Choose a plugin…</option>
                {(plugins.data ?? []).map((p) => (
                  <option key={p.class} value={p.class}>
                    {p.class} ({p.type})
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="field">
            <label for="name">
              Name <span aria-label="required">*</span>
            </label>
            <div class="field-input">
              <input id="name" value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            </div>
          </div>
          {plugin && (
            <ConfigForm
              plugin={plugin}
              defs={defs}
              values={values}
              alongside={name ? { name } : {}}
              onChange={setValues}
              onValidated={setErrors}
              locked={['connector.class']}
            />
          )}
          {problems.length > 0 && (
            <Notice kind="error">
              Not valid yet:
              <ul>
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </Notice>
          )}
          <button type="submit" disabled={!plugin || !name || problems.length > 0}>
            Create
          </button>
        </form>
      )}
    </section>
  );
}
