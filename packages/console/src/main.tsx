import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from './components/ui.js';
import { AdoptPage } from './pages/adopt.js';
import { ConnectorPage } from './pages/connector.js';
import { DlqPage } from './pages/dlq.js';
import { NewConnectorPage } from './pages/new-connector.js';
import { OverviewPage } from './pages/overview.js';
import { TapPage } from './pages/tap.js';
import { WorkerPage } from './pages/worker.js';

/** The page named by the URL's hash: #/, #/connectors/NAME, #/new, #/tap/TOPIC, #/dlq/NAME, #/worker, #/adopt. */
function useRoute(): string[] {
  const parse = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

const NAV: Array<[string, string]> = [
  ['#/', 'Overview'],
  ['#/new', 'New connector'],
  ['#/tap', 'Live tap'],
  ['#/dlq', 'Dead letters'],
  ['#/worker', 'Worker'],
  ['#/adopt', 'Adopt'],
];

function App() {
  const route = useRoute();
  const [head, a, b] = route;
  let page;
  let current = '#/';
  if (head === 'connectors' && a) page = <ConnectorPage name={a} key={a} />;
  else if (head === 'new') {
    page = <NewConnectorPage />;
    current = '#/new';
  } else if (head === 'tap') {
    page = <TapPage topic={a ?? ''} key={a} />;
    current = '#/tap';
  } else if (head === 'dlq') {
    page = <DlqPage name={a ?? ''} key={a} />;
    current = '#/dlq';
  } else if (head === 'worker') {
    page = <WorkerPage />;
    current = '#/worker';
  } else if (head === 'adopt') {
    page = <AdoptPage />;
    current = '#/adopt';
  } else page = <OverviewPage />;
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [head, a, b]);
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <span class="brand">Tributary</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={current === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <ConfirmDialog />
    </>
  );
}

render(<App />, document.getElementById('app')!);
