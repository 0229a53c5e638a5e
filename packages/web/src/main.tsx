/** The dashboard's entry: styles, then the app into #root. */
import './styles/dashboard.css';
import './styles/charts.css';
import { createRoot } from 'react-dom/client';
import { DashboardApp } from './app/dashboard-app.js';
import { takeTokenFromAddressBar } from './auth/sign-in-link.js';

// Read the sign-in link first, so the token leaves the address bar before anything renders.
const linkToken = takeTokenFromAddressBar();
const root = document.getElementById('root');
if (root !== null) createRoot(root).render(<DashboardApp linkToken={linkToken} />);
