/** The console's shell: login gate, the current user, navigation, and the page of the current path. */
import { useEffect, useState, type ReactNode } from 'react';
import { api, isLoggedIn, logout, onSessionChange } from './lib/api';
import { MeContext, type Me } from './lib/me';
import { Link, match, navigate, useLocation } from './lib/router';
import { ErrorBox } from './lib/ui';
import { DefinitionPage, DefinitionsPage } from './pages/Definitions';
import { DeadLettersPage, EventsPage } from './pages/Events';
import { FormPage, FormsPage } from './pages/Forms';
import { InboxPage } from './pages/Inbox';
import { LoginPage } from './pages/Login';
import { RunPage } from './pages/Run';
import { RunsPage } from './pages/Runs';
import { SchedulesPage } from './pages/Schedules';
import { TaskPage } from './pages/Task';
import { TestRunPage } from './pages/TestRun';
import { TestsPage } from './pages/Tests';

const NAV = [
  { to: '/inbox', label: 'Inbox', section: ['/inbox', '/tasks'] },
  { to: '/runs', label: 'Runs', section: ['/runs'] },
  { to: '/definitions', label: 'Definitions', section: ['/definitions'] },
  { to: '/forms', label: 'Forms', section: ['/forms'] },
  { to: '/schedules', label: 'Schedules', section: ['/schedules'] },
  { to: '/tests', label: 'Tests', section: ['/tests'] },
  { to: '/events', label: 'Events', section: ['/events'] },
  { to: '/dead-letters', label: 'Dead letters', section: ['/dead-letters'] },
];

/** The page of a path (below /console). */
function page(path: string): ReactNode {
  let m: Record<string, string> | null;
  if ((m = match('/tasks/:id', path))) return <TaskPage key={m.id} id={m.id!} />;
  if ((m = match('/runs/:id', path))) return <RunPage key={m.id} id={m.id!} />;
  if ((m = match('/tests/:id', path))) return <TestRunPage key={m.id} id={m.id!} />;
  if ((m = match('/forms/:componentId', path))) return <FormPage key={m.componentId} componentId={m.componentId!} />;
  if ((m = match('/definitions/:workflowId', path)))
    return <DefinitionPage key={m.workflowId} workflowId={m.workflowId!} />;
  switch (path) {
    case '/inbox':
      return <InboxPage />;
    case '/runs':
      return <RunsPage />;
    case '/definitions':
      return <DefinitionsPage />;
    case '/forms':
      return <FormsPage />;
    case '/schedules':
      return <SchedulesPage />;
    case '/tests':
      return <TestsPage />;
    case '/events':
      return <EventsPage />;
    case '/dead-letters':
      return <DeadLettersPage />;
    default:
      return (
        <p>
          Nothing here. <Link to="/inbox">Go to the inbox</Link>.
        </p>
      );
  }
}

export function App() {
  const [loggedIn, setLoggedIn] = useState(isLoggedIn);
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState<unknown>(null);
  const { path, search } = useLocation();

  useEffect(() => onSessionChange(() => setLoggedIn(isLoggedIn())), []);
  useEffect(() => {
    if (!loggedIn) {
      setMe(null);
      return;
    }
    api<Me>('/auth/me').then(setMe, setMeError);
  }, [loggedIn]);
  useEffect(() => {
    if (path === '/' || path === '/login') {
      if (loggedIn) navigate(search.get('next') ?? '/inbox', true);
      else if (path === '/') navigate('/login', true);
    } else if (!loggedIn) navigate(`/login?next=${encodeURIComponent(path + window.location.search)}`, true);
  }, [loggedIn, path, search]);
  useEffect(() => {
    const name = NAV.find((n) => n.section.some((s) => path.startsWith(s)))?.label;
    document.title = name ? `${name} · Orchestrator console` : 'Orchestrator console';
  }, [path]);

  if (!loggedIn) return <LoginPage onLoggedIn={() => setLoggedIn(true)} />;
  if (meError) return <ErrorBox error={meError} />;
  if (!me) return <p aria-busy="true">Loading…</p>;
  return (
    <MeContext.Provider value={me}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Orchestrator</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={n.section.some((s) => path.startsWith(s)) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <span data-testid="current-user">{me.display_name ?? me.username}</span>
          <a className="muted small" href="/api/v1/docs">
            API
          </a>
          <button type="button" className="btn small" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page(path)}
      </main>
    </MeContext.Provider>
  );
}
