/**
 * Rehearsal: pick a stored plan (or upload one), give a history CSV (or a
 * synthetic traffic profile) and regressions to inject, and let the server run
 * core's rehearsal engine — the same decide() as live launches. The report shows
 * findings, the clean replay, power curves and detectable effects. For a
 * stored plan, the traffic and KPI levels can start from what its past
 * launches measured (GET /api/v1/plans/NAME/history), shown and editable.
 */
import { useRef, useState } from 'react';
import type { ChangeEvent, FormEvent } from 'react';
import { spanWords } from '@threshold/core';
import type { RehearsalReport } from '@threshold/core';
import { ApiError } from '../api/api-client.js';
import type * as Api from '../api/api-schema.js';
import type { Baselines } from '../components/history-profile.js';
import type { PlanListEntry } from '../api/api-types.js';
import { useSession } from '../app/session-context.js';
import { useApi } from '../app/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { HistoryProfile } from '../components/history-profile.js';
import { RehearsalReportView } from '../components/rehearsal-report-view.js';
import { useEnvironments } from '../components/environment-picker.js';

type PlanChoice =
  { kind: 'stored'; name: string } | { kind: 'upload'; source: string; file: string };
type TrafficChoice =
  | {
      kind: 'profile';
      unitsPerMinute: number;
      diurnal: boolean;
      /** KPI levels, from past launches (and edited here). */
      baselines?: Baselines;
      /** The past launches they came from. */
      fromLaunches?: { plan: string; ids: string[] };
    }
  | { kind: 'history'; csv: string; file: string };

const readFile = (
  e: ChangeEvent<HTMLInputElement>,
): Promise<{ text: string; name: string } | null> => {
  const file = e.target.files?.[0];
  return file === undefined
    ? Promise.resolve(null)
    : file.text().then((text) => ({ text, name: file.name }));
};

export function RehearsalPage() {
  const { api } = useSession();
  const plans = useApi<{ plans: PlanListEntry[] }>('/api/v1/plans');
  const [plan, setPlan] = useState<PlanChoice | null>(null);
  const [traffic, setTraffic] = useState<TrafficChoice>({
    kind: 'profile',
    unitsPerMinute: 1200,
    diurnal: true,
  });
  const [injections, setInjections] = useState('');
  const [runs, setRuns] = useState(200);
  const [seed, setSeed] = useState(1);
  const [lookMinutes, setLookMinutes] = useState(5);
  const environments = useEnvironments();
  const [environment, setEnvironment] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [partial, setPartial] = useState<RehearsalReport | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const running = useRef<AbortController | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<{
    plan: { name: string; version: number | null };
    report: RehearsalReport;
  } | null>(null);

  const storedName = plan?.kind === 'stored' ? plan.name : (plans.data?.plans[0]?.name ?? '');
  const chosen: PlanChoice | null =
    plan ?? (storedName === '' ? null : { kind: 'stored', name: storedName });

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (chosen === null) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setPartial(null);
    setProgress(null);
    setCancelled(false);
    const abort = new AbortController();
    running.current = abort;
    try {
      const body = {
        ...(chosen.kind === 'stored'
          ? { plan: { name: chosen.name } }
          : { planSource: chosen.source }),
        ...(traffic.kind === 'history'
          ? { history: traffic.csv }
          : {
              profile: {
                unitsPerMinute: traffic.unitsPerMinute,
                diurnal: traffic.diurnal,
                ...(traffic.baselines === undefined ? {} : { baselines: traffic.baselines }),
              },
            }),
        injections: injections
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
        runs,
        seed,
        lookIntervalMs: Math.round(lookMinutes * 60_000),
        ...(environment === '' ? {} : { environment }),
      };
      // Streamed: progress and partial reports as the launches are simulated.
      await api.postLines(
        '/api/v1/rehearsals',
        body,
        (line) => {
          if (line.type === 'progress')
            setProgress({ done: Number(line.done), total: Number(line.total) });
          else if (line.type === 'partial') setPartial(line.report as RehearsalReport);
          else if (line.type === 'report') {
            setPartial(null);
            setResult(line as unknown as NonNullable<typeof result>);
          } else if (line.type === 'error') {
            const e = line.error as { code: string; message: string };
            setError(new ApiError(200, e.code, e.message));
          }
        },
        abort.signal,
      );
    } catch (err) {
      if (abort.signal.aborted) setCancelled(true);
      else setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      running.current = null;
      setBusy(false);
      setProgress(null);
    }
  };
  const [historyNote, setHistoryNote] = useState<string | null>(null);
  const fromLaunches = async () => {
    if (chosen?.kind !== 'stored') return;
    setHistoryNote(null);
    try {
      const h = await api.get<Api.PlanHistoryAnswer>(
        `/api/v1/plans/${encodeURIComponent(chosen.name)}/history`,
      );
      const baselines: Baselines = {};
      for (const k of h.kpis) if (k.baseline !== null) baselines[k.kpi] = k.baseline;
      if (h.unitsPerMinute === null) {
        setHistoryNote(
          h.launches.length === 0
            ? `No ended launch of ${chosen.name} yet: nothing measured.`
            : `The last launches of ${chosen.name} measured no traffic.`,
        );
        return;
      }
      setTraffic({
        kind: 'profile',
        unitsPerMinute: Math.max(1, Math.round(h.unitsPerMinute)),
        diurnal: false,
        baselines,
        fromLaunches: { plan: chosen.name, ids: h.launches.map((l) => l.id) },
      });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    }
  };
  const setBaseline = (kpi: string, value: number) => {
    if (traffic.kind !== 'profile') return;
    const old = traffic.baselines?.[kpi];
    setTraffic({
      ...traffic,
      baselines: { ...traffic.baselines, [kpi]: { ...old, value } },
    });
  };
  // Closing the stream cancels the rehearsal on the server too.
  const cancel = () => running.current?.abort();

  return (
    <section className="rehearsal-page">
      <h1>Rehearsal</h1>
      <p className="muted">
        Replays the plan through traffic many times, clean and with the regressions you inject,
        using the same decision function as live launches. Nothing is stored and nothing changes.
      </p>
      <form onSubmit={(e) => void run(e)} className="rehearsal-form">
        <fieldset>
          <legend>Plan</legend>
          <label>
            <input
              type="radio"
              name="plan-kind"
              checked={chosen?.kind !== 'upload'}
              onChange={() => setPlan({ kind: 'stored', name: storedName })}
            />{' '}
            A stored plan{' '}
            <select
              aria-label="Stored plan"
              value={storedName}
              onChange={(e) => setPlan({ kind: 'stored', name: e.target.value })}
            >
              {(plans.data?.plans ?? []).map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} (v{p.latestVersion})
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="radio" name="plan-kind" checked={chosen?.kind === 'upload'} readOnly />{' '}
            Upload a plan (YAML){' '}
            <input
              type="file"
              aria-label="Plan file"
              accept=".yaml,.yml,.json,text/yaml,application/json"
              onChange={(e) =>
                void readFile(e).then((f) => {
                  if (f !== null) setPlan({ kind: 'upload', source: f.text, file: f.name });
                })
              }
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>Traffic</legend>
          <div className="option">
            <input
              type="radio"
              name="traffic-kind"
              aria-label="Synthetic traffic"
              checked={traffic.kind === 'profile'}
              onChange={() => setTraffic({ kind: 'profile', unitsPerMinute: 1200, diurnal: true })}
            />{' '}
            Synthetic:{' '}
            <input
              type="number"
              aria-label="Units per minute"
              min={1}
              value={traffic.kind === 'profile' ? traffic.unitsPerMinute : 1200}
              disabled={traffic.kind !== 'profile'}
              onChange={(e) =>
                setTraffic({
                  kind: 'profile',
                  unitsPerMinute: Number(e.target.value) || 1,
                  diurnal: traffic.kind === 'profile' ? traffic.diurnal : true,
                })
              }
            />{' '}
            new units per minute,{' '}
            <label className="inline">
              <input
                type="checkbox"
                checked={traffic.kind === 'profile' && traffic.diurnal}
                disabled={traffic.kind !== 'profile'}
                onChange={(e) =>
                  setTraffic({
                    kind: 'profile',
                    unitsPerMinute: traffic.kind === 'profile' ? traffic.unitsPerMinute : 1200,
                    diurnal: e.target.checked,
                  })
                }
              />{' '}
              with a daily cycle
            </label>{' '}
            {chosen?.kind === 'stored' && (
              <button type="button" className="link-button" onClick={() => void fromLaunches()}>
                From past launches of {chosen.name}
              </button>
            )}
          </div>
          {historyNote !== null && <p className="muted small">{historyNote}</p>}
          {traffic.kind === 'profile' && traffic.fromLaunches !== undefined && (
            <HistoryProfile
              from={traffic.fromLaunches}
              baselines={traffic.baselines ?? {}}
              onChange={setBaseline}
            />
          )}
          <label>
            <input type="radio" name="traffic-kind" checked={traffic.kind === 'history'} readOnly />{' '}
            A history CSV{' '}
            <input
              type="file"
              aria-label="History file"
              accept=".csv,text/csv"
              onChange={(e) =>
                void readFile(e).then((f) => {
                  if (f !== null) setTraffic({ kind: 'history', csv: f.text, file: f.name });
                })
              }
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>Regressions to inject (one scenario per line)</legend>
          <textarea
            aria-label="Injections"
            rows={4}
            value={injections}
            onChange={(e) => setInjections(e.target.value)}
            placeholder={'error_rate=+20%\nerror_rate=+50%\nconversion=-5%@full'}
          />
          <p className="muted small">
            KPI=+10% (relative), KPI=+0.02 (absolute), KPI=+10%@phase (from that phase on). Several
            sizes of one KPI draw its power curve.
          </p>
        </fieldset>
        <label className="inline">
          Runs per scenario{' '}
          <input
            type="number"
            min={1}
            max={10000}
            value={runs}
            onChange={(e) => setRuns(Number(e.target.value) || 1)}
          />
        </label>{' '}
        <label className="inline">
          Look interval (minutes){' '}
          <input
            type="number"
            min={0.05}
            step="any"
            value={lookMinutes}
            onChange={(e) => setLookMinutes(Number(e.target.value) || 5)}
          />
        </label>{' '}
        <label className="inline">
          Time rules of{' '}
          <select value={environment} onChange={(e) => setEnvironment(e.target.value)}>
            <option value="">no environment (always open)</option>
            {environments.map((env) => (
              <option key={env.name} value={env.name}>
                {env.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <label className="inline">
          Seed{' '}
          <input
            type="number"
            value={seed}
            onChange={(e) => setSeed(Number(e.target.value) || 0)}
          />
        </label>
        <div className="buttons">
          <button type="submit" disabled={busy || chosen === null}>
            {busy ? 'Rehearsing…' : 'Run the rehearsal'}
          </button>
          {busy ? (
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
      {progress === null ? null : (
        <p className="rehearsal-progress" role="status">
          <progress max={progress.total} value={progress.done} /> {progress.done} of{' '}
          {progress.total} launches simulated
        </p>
      )}
      {cancelled ? (
        <p className="status-line" role="status">
          Rehearsal cancelled.
        </p>
      ) : null}
      {error === null ? null : <ErrorNote error={error} />}
      {partial === null ? null : (
        <>
          <p className="status-line partial">
            Partial: the first {partial.settings.runs} launches per scenario; the numbers sharpen as
            more arrive.
          </p>
          <RehearsalReportView report={partial} />
        </>
      )}
      {result === null ? null : (
        <>
          <p className="status-line">
            Rehearsed <strong>{result.plan.name}</strong>
            {result.plan.version === null ? ' (uploaded)' : ` v${result.plan.version}`}:{' '}
            {result.report.settings.runs} launches per scenario, seed {result.report.settings.seed},
            a look every {spanWords(result.report.settings.lookIntervalMs)}.
          </p>
          <RehearsalReportView report={result.report} />
        </>
      )}
    </section>
  );
}
