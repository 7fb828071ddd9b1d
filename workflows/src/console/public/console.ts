// SmartScale console: a browser script (no bundler). Live data comes from the control API's server-sent
// events (/v1/console/events); charts are drawn with uPlot, served by the same app as its IIFE build, which
// defines the global `uPlot` before this script runs (both are `defer` scripts, in document order).
//
// A classic script, not a module: it has no `import` or `export` statement, so the project's swc build
// (CommonJS) emits it without `require`/`exports` (console-assets.spec.ts checks the served file). The
// server's types are shared through type-only `import("../console.types")` references, erased like `import type`.
// Type-checked with the DOM library by ./tsconfig.json.
/// <reference types="uplot" />

type TargetView = import('../console.types').TargetView;
type ConsoleHealth = import('../console.types').ConsoleHealth;
type ConsoleSnapshot = import('../console.types').ConsoleSnapshot;
type ConsoleEvent = import('../console.types').ConsoleEvent;
type ChartData = import('../console.types').ChartData;
type ChartDecision = ChartData['decisions'][number];
type Forecast = import('@smartscale/contracts').Forecast;
type WindowMetric = import('@smartscale/contracts').WindowMetric;

/** The stream's events by name: the snapshot first, then the changes the server sends (ConsoleEvent). */
type StreamEvents = { snapshot: ConsoleSnapshot } & { [E in ConsoleEvent as E['type']]: E['data'] };
/** { kind: 'live', spanMs } follows the clock; { kind: 'fixed', from, to } is a range of the SQL history. */
type ChartRange = { kind: 'live'; spanMs: number } | { kind: 'fixed'; from: number; to: number };
/** One x of the charts: each series' value there, if it has one. */
type Row = Record<string, number | null | undefined>;
type Child = Node | string | number | null | undefined;
/** A decision marker: its legend value belongs to its own time only (see dataIdx). */
type MarkerSeries = uPlot.Series & { marker?: true };

(() => {
  'use strict';

  const TOKEN_KEY = 'smartscale.controlToken';
  const MAX_DECISION_ROWS = 200;
  // Every element looked up is in index.html (console-assets.spec.ts checks the ids).
  const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => document.querySelector(sel) as T;

  const state: {
    targets: TargetView[];
    health: ConsoleHealth | null;
    connected: boolean | null;
    selected: string | null;
    range: ChartRange;
    chart: ChartData | null;
    plots: uPlot[];
    redrawPending: boolean;
    decisionAt?: Map<number, ChartDecision>;
  } = {
    targets: [],
    health: null,
    /** null until the first snapshot: "connecting" is not yet a failure worth a banner. */
    connected: null,
    selected: null,
    range: { kind: 'live', spanMs: 3_600_000 },
    chart: null,
    plots: [],
    redrawPending: false,
  };

  // ---------------------------------------------------------------- formatting
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Record<string, unknown> = {},
    ...children: (Child | Child[])[]
  ): HTMLElementTagNameMap[K] => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = String(v);
      else if (k.startsWith('data-')) e.setAttribute(k, String(v));
      else (e as unknown as Record<string, unknown>)[k] = v;
    }
    for (const c of children.flat())
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const time = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour12: false });
  const dateTime = (ms: number): string => new Date(ms).toLocaleString([], { hour12: false });
  const num = (v: number | null | undefined, digits = 1): string =>
    v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(digits).replace(/\.0+$/, '');
  const ago = (ms: number): string => {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${Math.floor(s / 3600)} h ago`;
  };
  const left = (until: number): string => {
    const s = Math.max(0, Math.round((until - Date.now()) / 1000));
    return s >= 3600
      ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`
      : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
  };
  const runLink = (workflowUrl: string, runId: string | undefined): string =>
    runId ? `${workflowUrl}/${encodeURIComponent(runId)}/history` : workflowUrl;

  // ---------------------------------------------------------------- live feed
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  /** The control API's token, asked for once per tab (sessionStorage) when the API answers 401. */
  const authHeaders = (): Record<string, string> => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { authorization: `Bearer ${token}` } : {};
  };

  const handlers: { [K in keyof StreamEvents]: (data: StreamEvents[K]) => void } = {
    snapshot: onSnapshot,
    status: (d) => {
      state.targets = d.targets;
      // Targets come and go through the API: a removed one hands the chart to the first left.
      if (!state.targets.some((t) => t.id === state.selected) && state.targets.length > 0) {
        state.selected = null;
        select(state.targets[0].id);
        return;
      }
      renderTargets();
      renderDetailHead();
    },
    decision: onDecision,
    window: onWindow,
    forecast: onForecast,
    health: (h) => {
      state.health = h;
      renderBanner();
    },
  };

  /**
   * The event stream is read with fetch and an Authorization header, not EventSource: EventSource cannot
   * send headers, and a token in the URL would be kept in server logs, proxies and the browser history.
   * The server-sent events format is a few lines to parse (blank-line separated blocks of `event:` and
   * `data:` fields), so no library is loaded for it. Reconnects after 3 s, as EventSource would.
   */
  async function connect(): Promise<void> {
    for (;;) {
      let res: Response | null = null;
      try {
        res = await fetch('/v1/console/events', { headers: { accept: 'text/event-stream', ...authHeaders() }, cache: 'no-store' });
      } catch {
        res = null;
      }
      if (res && res.status === 401) {
        const had = sessionStorage.getItem(TOKEN_KEY);
        const given = await askToken(
          had
            ? 'That token was refused. Enter the control API token (SMARTSCALE_CONTROL_TOKEN):'
            : 'This control API needs its bearer token (SMARTSCALE_CONTROL_TOKEN) to show targets:',
        );
        if (given) {
          sessionStorage.setItem(TOKEN_KEY, given);
          continue;
        }
      } else if (res && res.ok && res.body) {
        try {
          await readEvents(res.body);
        } catch {
          // The connection dropped: reconnect below.
        }
      }
      state.connected = false;
      renderBanner();
      await sleep(3_000);
    }
  }

  async function readEvents(body: NonNullable<Response['body']>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        // The event name comes from the server: its data is what that event carries (console.types.ts).
        const handler = (handlers as unknown as Record<string, ((data: unknown) => void) | undefined>)[type];
        if (data.length > 0 && handler) handler(JSON.parse(data.join('\n')));
      }
    }
  }

  function onSnapshot(s: ConsoleSnapshot): void {
    state.connected = true;
    state.targets = s.targets;
    state.health = s.health;
    renderBanner();
    const wanted = decodeURIComponent((location.hash.match(/target=([^&]+)/) || [])[1] || '');
    const ids = s.targets.map((t) => t.id);
    if (!state.selected || !ids.includes(state.selected)) state.selected = ids.includes(wanted) ? wanted : (ids[0] ?? null);
    renderTargets();
    renderDetailHead();
    // Also after a reconnect: what happened while the stream was down comes from the history.
    void loadChart();
  }

  const selectedTarget = (): TargetView | null => state.targets.find((t) => t.id === state.selected) ?? null;
  const isLive = (): boolean => state.range.kind === 'live';

  function onDecision({ targetId, decision, workflowUrl }: StreamEvents['decision']): void {
    if (targetId !== state.selected || !state.chart || !isLive()) return;
    if (state.chart.decisions.some((d) => d.seq === decision.seq && d.at === decision.at)) return;
    state.chart.decisions.push(decision);
    prependDecisionRow(decision, workflowUrl, true);
    scheduleRedraw();
  }

  function onWindow(w: WindowMetric): void {
    const c = state.chart;
    if (!c || !isLive() || w.service !== c.service) return;
    const last = c.windows[c.windows.length - 1];
    if (last && last.windowEnd >= w.windowEnd) return;
    c.windows.push({ windowEnd: w.windowEnd, eventsPerSecond: w.eventsPerSecond, consumerLag: w.consumerLag });
    scheduleRedraw();
  }

  function onForecast(f: Forecast): void {
    const c = state.chart;
    if (!c || !isLive() || f.service !== c.service) return;
    c.forecast = f;
    const first = f.points[0];
    const last = c.forecastHistory[c.forecastHistory.length - 1];
    if (first && (!last || first.windowEnd > last.windowEnd)) c.forecastHistory.push({ ...first, anomalyScore: f.anomalyScore });
    scheduleRedraw();
  }

  // ---------------------------------------------------------------- banner
  const PARTS: Partial<Record<string, string>> = {
    broker: 'Kafka broker unreachable: no new windows reach the controller.',
    temporal: 'Temporal unreachable: target status and pause/resume/override are unavailable.',
    history: 'SQL history unavailable: chart ranges cannot be loaded.',
    predictor: 'Predictor unreachable: no forecast band; the controller falls back to the observed load.',
  };

  function renderBanner(): void {
    const banner = $('#banner');
    const conn = $('#conn');
    const problems: string[] = [];
    if (state.connected === false)
      problems.push(`Lost the live connection to the control API at ${location.host}; reconnecting… (what you see may be out of date)`);
    const stale = state.connected === false ? ' (last known)' : '';
    for (const [part, ok] of Object.entries(state.health ?? {})) if (!ok) problems.push(`${PARTS[part] ?? `${part} is down.`}${stale}`);
    conn.textContent = state.connected ? 'live' : state.connected === null ? 'connecting…' : 'disconnected';
    conn.className = `conn ${state.connected ? 'conn-ok' : state.connected === null ? 'conn-wait' : 'conn-down'}`;
    banner.replaceChildren();
    banner.hidden = problems.length === 0;
    if (problems.length === 1) banner.append(problems[0]);
    else if (problems.length > 1)
      banner.append(
        'Some parts are down:',
        el(
          'ul',
          {},
          problems.map((p) => el('li', {}, p)),
        ),
      );
  }

  // ---------------------------------------------------------------- targets table
  function stateBadges(t: TargetView): HTMLElement[] {
    const s = t.status;
    if (!s) return [el('span', { class: 'badge state-unknown', title: t.error ?? '' }, `unreachable: ${t.error ?? 'no status'}`)];
    const badges: HTMLElement[] = [];
    const now = Date.now();
    if (s.paused)
      badges.push(
        el(
          'span',
          { class: 'badge state-paused' },
          `paused: ${s.paused.reason}${s.paused.until ? ` (resumes in ${left(s.paused.until).replace(' left', '')})` : ''}`,
        ),
      );
    if (s.override && s.override.expiresAt > now)
      badges.push(
        el(
          'span',
          { class: 'badge state-override', title: s.override.reason },
          `override ${s.override.replicas} replicas, ${left(s.override.expiresAt)}`,
        ),
      );
    if (s.policy.mode === 'recommend')
      badges.push(el('span', { class: 'badge state-recommend', title: 'decides and records, never applies' }, 'recommend only'));
    if (badges.length === 0) badges.push(el('span', { class: 'badge state-active' }, 'active'));
    return badges;
  }

  function renderTargets(): void {
    const body = $('#targets tbody');
    if (state.targets.length === 0) {
      body.replaceChildren(
        el('tr', { class: 'empty' }, el('td', { colSpan: 5 }, state.connected ? 'no targets configured' : 'waiting for the control API…')),
      );
      return;
    }
    body.replaceChildren(
      ...state.targets.map((t) => {
        const s = t.status;
        const d = s?.lastDecision;
        const row = el(
          'tr',
          { 'data-target': t.id, 'data-state': t.state, class: t.id === state.selected ? 'selected' : '' },
          el('td', {}, el('strong', {}, t.id), el('br'), el('small', { class: 'muted' }, `service ${t.service}`)),
          el('td', { 'data-field': 'state' }, stateBadges(t)),
          el('td', { 'data-field': 'replicas' }, s ? `${s.currentReplicas ?? '–'} → ${s.desiredReplicas ?? '–'}` : '–'),
          el(
            'td',
            { 'data-field': 'last-decision' },
            d
              ? [
                  el('span', { class: `act-${d.action}` }, `#${d.seq} ${d.action} ${d.from}→${d.to}`),
                  el('br'),
                  el('small', { class: 'muted' }, ago(d.at)),
                ]
              : '–',
          ),
          el('td', { 'data-field': 'reason' }, d ? d.reasons.map((r) => el('div', { title: r.code }, r.message)) : ''),
        );
        row.addEventListener('click', () => select(t.id));
        return row;
      }),
    );
  }

  function select(id: string): void {
    if (id === state.selected) return;
    state.selected = id;
    history.replaceState(null, '', `#target=${encodeURIComponent(id)}`);
    renderTargets();
    renderDetailHead();
    void loadChart();
  }

  function renderDetailHead(): void {
    const t = selectedTarget();
    $('#detail').hidden = !t;
    if (!t) return;
    $('#detail-title').textContent = `${t.id} (service ${t.service})`;
    $('#detail-state').replaceChildren(...stateBadges(t));
    $<HTMLAnchorElement>('#workflow-link').href = t.workflowUrl;
    const s = t.status;
    $<HTMLButtonElement>('#pause-btn').disabled = !s || !!s.paused;
    $<HTMLButtonElement>('#resume-btn').disabled = !s || !s.paused;
    $<HTMLButtonElement>('#clear-override-btn').disabled = !s || !s.override;
    $<HTMLButtonElement>('#override-btn').disabled = !s;
  }

  // ---------------------------------------------------------------- controls
  function askToken(why: string): Promise<string | null> {
    const dialog = $<HTMLDialogElement>('#token-dialog');
    $('#token-why').textContent = why;
    $<HTMLInputElement>('#token-input').value = '';
    dialog.showModal();
    return new Promise((resolve) =>
      dialog.addEventListener(
        'close',
        () => resolve(dialog.returnValue === 'ok' ? $<HTMLInputElement>('#token-input').value.trim() : null),
        { once: true },
      ),
    );
  }

  async function mutate(method: 'POST' | 'DELETE', action: string, body?: unknown): Promise<void> {
    const t = selectedTarget();
    if (!t) return;
    const msg = $('#action-msg');
    msg.className = '';
    msg.textContent = `${action}…`;
    for (;;) {
      const headers: Record<string, string> = {};
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(`/v1/targets/${encodeURIComponent(t.id)}/${action === 'end override' ? 'override' : action}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        msg.className = 'err';
        msg.textContent = `${action} failed: ${(err as Error).message}`;
        return;
      }
      if (res.status === 401) {
        const given = await askToken(
          token
            ? 'That token was refused. Enter the control API token (SMARTSCALE_CONTROL_TOKEN):'
            : 'This control API needs its bearer token (SMARTSCALE_CONTROL_TOKEN) for pause, resume and override:',
        );
        if (!given) {
          msg.className = 'err';
          msg.textContent = `${action} cancelled: no token`;
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, given);
        continue;
      }
      const answer = (await res.json().catch(() => ({}))) as { message?: string };
      msg.className = res.ok ? 'ok' : 'err';
      msg.textContent = res.ok
        ? `${action} sent to ${t.id}; the workflow applies it on its next step`
        : `${action} failed (HTTP ${res.status}): ${answer.message ?? ''}`;
      return;
    }
  }

  function wireControls(): void {
    $('#pause-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void mutate('POST', 'pause', { reason: new FormData(e.target as HTMLFormElement).get('reason') });
    });
    $('#resume-btn').addEventListener('click', () => void mutate('POST', 'resume'));
    $('#override-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(e.target as HTMLFormElement);
      const body: { replicas: number; ttlMs: number; reason?: FormDataEntryValue } = {
        replicas: Number(f.get('replicas')),
        ttlMs: Math.round(Number(f.get('minutes')) * 60_000),
      };
      const reason = f.get('reason');
      if (reason) body.reason = reason;
      void mutate('POST', 'override', body);
    });
    $('#clear-override-btn').addEventListener('click', () => void mutate('DELETE', 'end override'));
    $('#range').addEventListener('change', (e) => {
      const v = (e.target as HTMLSelectElement).value;
      $('#custom-range').hidden = v !== 'custom';
      if (v === 'custom') {
        const to = Date.now();
        const local = (ms: number): string => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        $<HTMLInputElement>('#range-from').value = local(to - 3_600_000);
        $<HTMLInputElement>('#range-to').value = local(to);
        return;
      }
      state.range = { kind: 'live', spanMs: Number(v) };
      void loadChart();
    });
    $('#range-apply').addEventListener('click', () => {
      const from = new Date($<HTMLInputElement>('#range-from').value).getTime();
      const to = new Date($<HTMLInputElement>('#range-to').value).getTime();
      if (!(from < to)) {
        $('#chart-msg').textContent = 'choose a "from" before "to"';
        return;
      }
      state.range = { kind: 'fixed', from, to };
      void loadChart();
    });
    setInterval(() => {
      renderTargets();
      renderDetailHead();
    }, 1_000);
  }

  // ---------------------------------------------------------------- chart data
  async function loadChart(): Promise<void> {
    const t = selectedTarget();
    if (!t) return;
    const range = state.range;
    const to = range.kind === 'live' ? Date.now() : range.to;
    const from = range.kind === 'live' ? to - range.spanMs : range.from;
    $('#range-mode').textContent = isLive() ? 'live' : 'history';
    $('#chart-msg').textContent = 'loading…';
    try {
      const res = await fetch(`/v1/console/targets/${encodeURIComponent(t.id)}/chart?from=${Math.floor(from)}&to=${Math.ceil(to)}`, {
        headers: authHeaders(),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? ''}`);
      const data = (await res.json()) as ChartData;
      if (data.targetId !== state.selected) return;
      state.chart = data;
      $('#chart-msg').textContent = '';
    } catch (err) {
      state.chart = null;
      $('#chart-msg').textContent = `cannot load the chart: ${(err as Error).message}`;
    }
    renderDecisions();
    drawCharts();
  }

  /** uPlot wants one x array (seconds) and one y array per series, aligned, with null where a series has no value. */
  function alignedData(c: ChartData): { xs: number[]; col: (k: string) => (number | null)[]; decisionAt: Map<number, ChartDecision> } {
    const now = Date.now();
    const range = state.range;
    const cutoff = range.kind === 'live' ? now - range.spanMs : -Infinity;
    const rows = new Map<number, Row>();
    const at = (ms: number): Row => {
      const x = ms / 1000;
      let row = rows.get(x);
      if (!row) rows.set(x, (row = {}));
      return row;
    };
    for (const w of c.windows)
      if (w.windowEnd >= cutoff) Object.assign(at(w.windowEnd), { load: w.eventsPerSecond, lagWindow: w.consumerLag });
    for (const f of c.forecastHistory)
      if (f.windowEnd >= cutoff) Object.assign(at(f.windowEnd), { fc: f.eventsPerSecond, fcLo: f.lower, fcHi: f.upper });
    const lastWindow = c.windows[c.windows.length - 1];
    if (isLive() && c.forecast && lastWindow) {
      // The projection starts at the newest observation so that it reads as its continuation.
      Object.assign(at(lastWindow.windowEnd), {
        ahead: lastWindow.eventsPerSecond,
        aheadLo: lastWindow.eventsPerSecond,
        aheadHi: lastWindow.eventsPerSecond,
      });
      for (const p of c.forecast.points)
        if (p.windowEnd > lastWindow.windowEnd)
          Object.assign(at(p.windowEnd), { ahead: p.eventsPerSecond, aheadLo: p.lower, aheadHi: p.upper });
    }
    const decisionAt = new Map<number, ChartDecision>();
    for (const d of c.decisions) {
      if (d.at < cutoff) continue;
      const row = at(d.at);
      Object.assign(row, { ready: d.from, desired: d.to, anomaly: d.inputs.anomalyScore, lagGroup: d.inputs.consumerLag });
      row[`dec_${d.action}`] = d.to;
      decisionAt.set(d.at / 1000, d);
    }
    const status = selectedTarget()?.status;
    if (isLive() && status) Object.assign(at(now), { ready: status.currentReplicas, desired: status.desiredReplicas });
    const xs = [...rows.keys()].sort((a, b) => a - b);
    const col = (k: string): (number | null)[] => xs.map((x) => rows.get(x)?.[k] ?? null);
    return { xs, col, decisionAt };
  }

  const MAIN_KEYS = ['load', 'fc', 'fcLo', 'fcHi', 'ahead', 'aheadLo', 'aheadHi', 'ready', 'desired', 'dec_up', 'dec_down', 'dec_hold'];
  const SIGNAL_KEYS = ['anomaly', 'lagGroup', 'lagWindow'];

  function scheduleRedraw(): void {
    if (state.redrawPending) return;
    state.redrawPending = true;
    requestAnimationFrame(() => {
      state.redrawPending = false;
      if (state.plots.length !== 2 || !state.chart) return drawCharts();
      const { xs, col, decisionAt } = alignedData(state.chart);
      state.decisionAt = decisionAt;
      state.plots[0].setData([xs, ...MAIN_KEYS.map(col)]);
      state.plots[1].setData([xs, ...SIGNAL_KEYS.map(col)]);
    });
  }

  // ---------------------------------------------------------------- charts
  function drawCharts(): void {
    for (const p of state.plots) p.destroy();
    state.plots = [];
    // uPlot is missing only if its script failed to load: the tables still work.
    if (!state.chart || typeof uPlot === 'undefined') return;
    const { xs, col, decisionAt } = alignedData(state.chart);
    state.decisionAt = decisionAt;
    const width = Math.max(400, $('#chart-main').clientWidth - 10);
    // Always present in the IIFE build that the page loads; optional only in uPlot's types.
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const line = (label: string, scale: string, stroke: string, extra: uPlot.Series = {}): uPlot.Series => ({
      label,
      scale,
      stroke,
      width: 1.5,
      spanGaps: true,
      points: { show: false },
      ...extra,
    });
    const marker = (label: string, fill: string, size: number): MarkerSeries => ({
      label,
      marker: true,
      scale: 'replicas',
      stroke: fill,
      fill,
      paths: () => null,
      points: { show: true, size, fill, stroke: fill },
      value: (_u, v) => (v === null || v === undefined ? '' : `→ ${v}`),
    });
    const value =
      (digits: number, unit = ''): uPlot.Series.Value =>
      (_u, v) =>
        v === null || v === undefined ? '–' : `${num(v, digits)}${unit}`;
    // Windows, forecasts and decisions sit at different times: the legend shows each series' latest value at or before the cursor.
    const dataIdx = (u: uPlot, si: number, i: number): number => {
      const ys = u.data[si];
      if ((u.series[si] as MarkerSeries).marker) return i; // a marker belongs to its own time only
      for (let k = i; k >= 0; k--) if (ys[k] !== null && ys[k] !== undefined) return k;
      return i;
    };
    const cursor: uPlot.Cursor = { sync: { key: 'smartscale-console', setSeries: false }, dataIdx };
    const band =
      (lo: number, hi: number): uPlot.Series.Value =>
      (u, v, _si, idx) =>
        v === null || v === undefined || idx === null
          ? '–'
          : `${num(v)} ev/s (${num(u.data[lo][dataIdx(u, lo, idx)])}–${num(u.data[hi][dataIdx(u, hi, idx)])})`;
    const main = new uPlot(
      {
        width,
        height: 320,
        cursor,
        scales: {
          x: { time: true },
          load: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 1) * 1.1)] },
          replicas: { range: (_u, _min, max) => [0, Math.max(2, (max ?? 1) + 1)] },
        },
        axes: [
          {},
          { scale: 'load', label: 'events/s' },
          { scale: 'replicas', side: 1, label: 'replicas', grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100] },
        ],
        series: [
          { value: (_u, v) => (v ? dateTime(v * 1000) : '–') },
          line('observed load', 'load', '#2563eb', { width: 2, value: value(1, ' ev/s') }),
          line('forecast (band)', 'load', '#f59e0b', { dash: [6, 4], value: band(3, 4) }),
          line('band low', 'load', 'rgba(245,158,11,0.35)', { width: 1, value: value(1) }),
          line('band high', 'load', 'rgba(245,158,11,0.35)', { width: 1, value: value(1) }),
          line('forecast ahead (band)', 'load', '#b45309', { dash: [2, 3], width: 2, value: band(6, 7) }),
          line('ahead low', 'load', 'rgba(180,83,9,0.3)', { width: 1, value: value(1) }),
          line('ahead high', 'load', 'rgba(180,83,9,0.3)', { width: 1, value: value(1) }),
          line('ready replicas', 'replicas', '#16a34a', { width: 2, paths: stepped, value: value(0) }),
          line('desired replicas', 'replicas', '#9333ea', { dash: [5, 3], paths: stepped, value: value(0) }),
          marker('scale up', '#15803d', 10),
          marker('scale down', '#dc2626', 10),
          marker('hold', 'rgba(107,114,128,0.55)', 5),
        ],
        bands: [
          { series: [4, 3], fill: 'rgba(245,158,11,0.15)' },
          { series: [7, 6], fill: 'rgba(180,83,9,0.12)' },
        ],
        plugins: [tooltipPlugin()],
      },
      [xs, ...MAIN_KEYS.map(col)],
      $('#chart-main'),
    );
    const signals = new uPlot(
      {
        width,
        height: 170,
        cursor,
        scales: { x: { time: true }, score: { range: [0, 1] }, lag: { range: (_u, _min, max) => [0, Math.max(10, (max ?? 0) * 1.1)] } },
        axes: [{}, { scale: 'score', label: 'anomaly score' }, { scale: 'lag', side: 1, label: 'consumer lag', grid: { show: false } }],
        series: [
          { value: (_u, v) => (v ? dateTime(v * 1000) : '–') },
          line('anomaly score', 'score', '#db2777', { width: 2, value: value(2) }),
          line('lag seen by the controller', 'lag', '#0891b2', { paths: stepped, value: value(0, ' events') }),
          line('lag at window close', 'lag', '#64748b', { dash: [3, 3], value: value(0, ' records') }),
        ],
      },
      [xs, ...SIGNAL_KEYS.map(col)],
      $('#chart-signals'),
    );
    state.plots = [main, signals];
  }

  /** A tooltip that names the decision under the cursor and gives its reasons (uPlot's legend shows the numbers). */
  function tooltipPlugin(): uPlot.Plugin {
    const tip = $('#tooltip');
    return {
      hooks: {
        setCursor: (u) => {
          const idx = u.cursor.idx;
          // left/top are set whenever idx is; NaN keeps the plain script's arithmetic on a missing one.
          const cursorLeft = u.cursor.left ?? Number.NaN;
          const cursorTop = u.cursor.top ?? Number.NaN;
          const d = idx === null || idx === undefined ? null : state.decisionAt?.get(u.data[0][idx]);
          if (!d || cursorLeft < 0) {
            tip.hidden = true;
            return;
          }
          const box = u.over.getBoundingClientRect();
          tip.replaceChildren(
            el(
              'div',
              {},
              el('strong', { class: `act-${d.action}` }, `#${d.seq} ${d.action} ${d.from}→${d.to}`),
              ` ${d.applied ? 'applied' : 'not applied'}`,
              el('span', { class: 't' }, ` at ${time(d.at)}`),
            ),
            el(
              'div',
              { class: 't' },
              `load ${num(d.inputs.observedEventsPerSecond)} ev/s, forecast peak ${num(d.inputs.forecastPeakEventsPerSecond)} ev/s${d.inputs.forecastUsed ? ' (used)' : ''}, anomaly ${num(d.inputs.anomalyScore, 2)}, lag ${num(d.inputs.consumerLag, 0)}`,
            ),
            el(
              'ul',
              {},
              d.reasons.map((r) => el('li', { title: r.code }, r.message)),
            ),
          );
          tip.hidden = false;
          const x = box.left + window.scrollX + cursorLeft + 14;
          tip.style.left = `${Math.min(x, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8)}px`;
          tip.style.top = `${box.top + window.scrollY + cursorTop + 14}px`;
        },
      },
    };
  }

  // ---------------------------------------------------------------- decisions table
  function decisionRow(d: ChartDecision, workflowUrl: string, fresh: boolean): HTMLTableRowElement {
    return el(
      'tr',
      { 'data-seq': d.seq, class: fresh ? 'fresh' : '' },
      el('td', {}, d.seq),
      el('td', { title: dateTime(d.at) }, time(d.at)),
      el('td', { class: `act-${d.action}` }, d.action),
      el('td', {}, `${d.from} → ${d.to}`),
      el('td', {}, d.applied ? 'yes' : 'no'),
      el(
        'td',
        { class: 'reasons' },
        d.reasons.map((r) => el('div', { title: r.code }, r.message)),
      ),
      el(
        'td',
        {},
        el(
          'a',
          {
            href: runLink(workflowUrl, d.runId),
            target: '_blank',
            rel: 'noopener',
            title: "this decision's workflow run in the Temporal Web UI",
          },
          'Temporal ↗',
        ),
      ),
    );
  }

  function renderDecisions(): void {
    const c = state.chart;
    const rows = c
      ? c.decisions
          .slice(-MAX_DECISION_ROWS)
          .reverse()
          .map((d) => decisionRow(d, c.workflowUrl, false))
      : [];
    $('#decisions tbody').replaceChildren(...rows);
  }

  function prependDecisionRow(d: ChartDecision, workflowUrl: string, fresh: boolean): void {
    const body = $('#decisions tbody');
    body.prepend(decisionRow(d, workflowUrl, fresh));
    while (body.children.length > MAX_DECISION_ROWS) body.lastElementChild?.remove();
  }

  window.addEventListener('resize', () => {
    const width = Math.max(400, $('#chart-main').clientWidth - 10);
    for (const p of state.plots) p.setSize({ width, height: p.height });
  });

  wireControls();
  renderBanner();
  void connect();
})();
