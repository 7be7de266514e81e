/** The console's shell: login gate, the current user, navigation, and the page of the current path. */
import { useEffect, useState, type ReactNode } from 'react';
import { api, isLoggedIn, logout, onSessionChange } from './lib/api';
import { can, MeContext, type Me } from './lib/me';
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

/** The main sections, each shown to users whose roles grant the permission its list needs. */
const NAV = [
  { to: '/inbox', label: 'Inbox', section: ['/inbox', '/tasks'], requires: 'human_tasks:read' },
  { to: '/runs', label: 'Runs', section: ['/runs'], requires: 'workflow_instances:read' },
  { to: '/definitions', label: 'Definitions', section: ['/definitions'], requires: 'workflow_definitions:read' },
  { to: '/forms', label: 'Forms', section: ['/forms'], requires: 'ui_components:read' },
  { to: '/schedules', label: 'Schedules', section: ['/schedules'], requires: 'schedules:read' },
  { to: '/tests', label: 'Tests', section: ['/tests'], requires: 'tests:read' },
  { to: '/events', label: 'Events', section: ['/events'], requires: 'events:read' },
  { to: '/dead-letters', label: 'Dead letters', section: ['/dead-letters'], requires: 'dead_letters:read' },
];

type NavItem = (typeof NAV)[number];

const sectionOf = (path: string): NavItem | undefined => NAV.find((n) => n.section.some((s) => path.startsWith(s)));

/** Where a user lands after logging in: the inbox, or the first section their roles open. */
const homeOf = (me: Me): string => NAV.find((n) => can(me, n.requires))?.to ?? '/inbox';

/** Shown instead of a section the user's roles do not open (the API would answer its calls with 403). */
function NotPermitted({ item, me }: { item: NavItem; me: Me }) {
  return (
    <section aria-labelledby="not-permitted">
      <h1 id="not-permitted">{item.label}</h1>
      <p data-testid="not-permitted">
        Your roles ({me.roles.join(', ') || 'none'}) do not grant <code>{item.requires}</code>, which this page needs.
        Ask an administrator for a role that does.
      </p>
      <p>
        <Link to={homeOf(me)}>Go to a page you can use</Link>.
      </p>
    </section>
  );
}

/** The page of a path (below /console). */
function page(path: string, me: Me): ReactNode {
  const item = sectionOf(path);
  if (item && !can(me, item.requires)) return <NotPermitted item={item} me={me} />;
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
          Nothing here. <Link to={homeOf(me)}>Go to the start page</Link>.
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
      if (loggedIn && me) navigate(search.get('next') ?? homeOf(me), true);
      else if (!loggedIn && path === '/') navigate('/login', true);
    } else if (!loggedIn) navigate(`/login?next=${encodeURIComponent(path + window.location.search)}`, true);
  }, [loggedIn, me, path, search]);
  useEffect(() => {
    const name = sectionOf(path)?.label;
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
            {NAV.filter((n) => can(me, n.requires)).map((n) => (
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
        {page(path, me)}
      </main>
    </MeContext.Provider>
  );
}
