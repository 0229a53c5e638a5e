/** Header, navigation and the current page. */
import { AuditPage } from '../pages/audit-page.js';
import { LaunchPage } from '../pages/launch-page.js';
import { LaunchesPage } from '../pages/launches-page.js';
import { PlanPage } from '../pages/plan-page.js';
import { PlansPage } from '../pages/plans-page.js';
import { PortfolioPage } from '../pages/portfolio-page.js';
import { ReportPage } from '../pages/report-page.js';
import { RehearsalPage } from '../pages/rehearsal-page.js';
import { useLaunchStream } from './launch-stream.js';
import { Link, matchRoute, useLocation } from './router.js';
import type { Route } from './router.js';
import { useSession } from './session-context.js';

const NAV: { to: string; label: string; pages: Route['page'][] }[] = [
  { to: '/launches', label: 'Launches', pages: ['launches', 'launch', 'report'] },
  { to: '/portfolio', label: 'Portfolio', pages: ['portfolio'] },
  { to: '/plans', label: 'Plans', pages: ['plans', 'plan'] },
  { to: '/rehearsal', label: 'Rehearsal', pages: ['rehearsal'] },
  { to: '/audit', label: 'Audit', pages: ['audit'] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'launches':
      return <LaunchesPage />;
    case 'launch':
      return <LaunchPage id={route.id} />;
    case 'report':
      return <ReportPage id={route.id} />;
    case 'portfolio':
      return <PortfolioPage />;
    case 'plans':
      return <PlansPage />;
    case 'plan':
      return <PlanPage name={route.name} />;
    case 'rehearsal':
      return <RehearsalPage />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link to="/launches">See the launches</Link>
            .
          </p>
        </section>
      );
  }
}

export function AppShell() {
  const { path } = useLocation();
  const route = matchRoute(path);
  const { who, signOut } = useSession();
  const { status } = useLaunchStream();
  return (
    <>
      <header className="app-header no-print">
        <Link to="/launches" className="brand">
          Threshold
        </Link>
        <nav aria-label="Pages">
          {NAV.map((n) => (
            <Link
              key={n.to}
              to={n.to}
              aria-current={n.pages.includes(route.page) ? 'page' : undefined}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <span className={`live live-${status}`} title="Live updates from the server">
          <span aria-hidden="true">{status === 'live' ? '●' : '○'}</span>{' '}
          {status === 'live' ? 'live' : status}
        </span>
        <span className="who">
          signed in as <strong>{who.name}</strong>{' '}
          <span className="muted">({who.scopes.join(', ')})</span>
        </span>
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}
