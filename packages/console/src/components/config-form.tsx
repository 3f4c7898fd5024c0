import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, type ConfigInfos, type ConfigKeyInfo } from '../api.js';

interface Props {
  plugin: string;
  defs: ConfigKeyInfo[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  /** Told the validation result (errors per key) after each change. */
  onValidated?: (errors: Record<string, string[]>) => void;
  /** Keys that cannot be changed here (the name of an existing connector). */
  locked?: string[];
  /** Keys sent with each validation but edited elsewhere on the page (a new connector's name). */
  alongside?: Record<string, string>;
}

const IMPORTANCE = { HIGH: 0, MEDIUM: 1, LOW: 2 } as Record<string, number>;

/**
 * One field per declared key, with the plugin's documentation beside it, validated as you type by
 * PUT /connector-plugins/{plugin}/config/validate. PASSWORD keys are masked.
 */
export function ConfigForm({ plugin, defs, values, onChange, onValidated, locked = [], alongside = {} }: Props) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [showAll, setShowAll] = useState(false);
  const [revealed, setRevealed] = useState<Record<string, boolean>>({});
  const timer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      try {
        const infos = await api<ConfigInfos>('PUT', `/connector-plugins/${enc(plugin)}/config/validate`, {
          ...values,
          ...alongside,
        });
        const next: Record<string, string[]> = {};
        for (const c of infos.configs) if (c.value.errors.length > 0) next[c.value.name] = c.value.errors;
        setErrors(next);
        onValidated?.(next);
      } catch (e) {
        const next = { '': [(e as Error).message] };
        setErrors(next);
        onValidated?.(next);
      }
    }, 350);
    return () => clearTimeout(timer.current);
  }, [plugin, JSON.stringify(values), JSON.stringify(alongside)]);

  const sorted = [...defs].sort((a, b) => (IMPORTANCE[a.importance] ?? 3) - (IMPORTANCE[b.importance] ?? 3));
  const essential = sorted.filter(
    (d) => d.required || d.importance === 'HIGH' || values[d.name] !== undefined || errors[d.name],
  );
  const shown = showAll ? sorted : essential;
  const unknown = Object.keys(values).filter((k) => !defs.some((d) => d.name === k) && !(k in alongside));
  const set = (k: string, v: string) => {
    const next = { ...values };
    if (v === '') delete next[k];
    else next[k] = v;
    onChange(next);
  };

  return (
    <div class="config-form">
      {errors[''] && (
        <p class="field-error" role="alert">
          {errors['']!.join(' ')}
        </p>
      )}
      {shown.map((d) => {
        const id = `cfg-${d.name.replace(/[^a-z0-9]/gi, '-')}`;
        const err = errors[d.name];
        const secret = d.type === 'PASSWORD';
        return (
          <div class={`field${err ? ' invalid' : ''}`} key={d.name}>
            <label for={id}>
              {d.name}
              {d.required && <span aria-label="required"> *</span>}
            </label>
            <div class="field-input">
              <input
                id={id}
                name={d.name}
                type={secret && !revealed[d.name] ? 'password' : 'text'}
                autocomplete="off"
                value={values[d.name] ?? ''}
                placeholder={d.default_value ?? ''}
                disabled={locked.includes(d.name)}
                aria-invalid={err ? 'true' : 'false'}
                aria-describedby={`${id}-doc`}
                onInput={(e) => set(d.name, (e.target as HTMLInputElement).value)}
              />
              {secret && (
                <button
                  type="button"
                  class="small"
                  aria-pressed={!!revealed[d.name]}
                  onClick={() => setRevealed({ ...revealed, [d.name]: !revealed[d.name] })}
                >
                  {revealed[d.name] ? 'Hide' : 'Show'}
                </button>
              )}
            </div>
            <p class="doc" id={`${id}-doc`}>
              <span class="muted">
                {d.type}
                {d.default_value !== null ? `, default ${d.default_value}` : ''} ·{' '}
              </span>
              {d.documentation}
            </p>
            {err && <p class="field-error">{err.join(' ')}</p>}
          </div>
        );
      })}
      {unknown.map((k) => (
        <div class="field" key={k}>
          <label for={`extra-${k}`}>{k}</label>
          <div class="field-input">
            <input id={`extra-${k}`} value={values[k]} onInput={(e) => set(k, (e.target as HTMLInputElement).value)} />
          </div>
          <p class="doc muted">
            Not declared by the plugin (transform, converter or client setting).
            {errors[k] && <span class="field-error"> {errors[k]!.join(' ')}</span>}
          </p>
        </div>
      ))}
      <button type="button" class="link" onClick={() => setShowAll(!showAll)} aria-expanded={showAll}>
        {showAll ? 'Show the essential keys only' : `Show all ${defs.length} keys`}
      </button>
    </div>
  );
}

/** The offending keys of a validation, as one line each. */
export function errorList(errors: Record<string, string[]>): string[] {
  return Object.entries(errors).map(([k, v]) => (k ? `${k}: ${v.join(' ')}` : v.join(' ')));
}
