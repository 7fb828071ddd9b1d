#!/usr/bin/env node
'use strict';
/*
 * A minimal OpenTelemetry Collector for test/otlp/collector-relay.e2e-spec.ts: the OTLP receiver, the
 * batch processor and the OTLP/HTTP exporter, nothing else.
 *
 *   node tools/infra/otelcol.js              # builds it once into .smartscale/otelcol/bin/, prints where
 *   const { ensureBuilt, paths } = require('./tools/infra/otelcol.js');
 *
 * Plain CommonJS with Node built-ins only, like ops-tools.js and kube-apiserver.js. Why this way:
 * - Only package registries are reachable, so the Collector is built from the Go module proxy at pinned
 *   versions. The official distributions (otelcorecol, otelcol) are not `go install`-able: their go.mod
 *   files use `replace` directives. The official builder (go.opentelemetry.io/collector/cmd/builder) would
 *   work too, but it is one more binary to build and only templates a main package; so this file writes
 *   that main package itself, in the builder's own shape (its main.go.tmpl and components.go.tmpl at the
 *   same version), then `go mod tidy` (which resolves the pinned modules' requirements by minimal version
 *   selection, checked against the checksum database) and `go build`.
 * - Go's caches live in .smartscale/otelcol/go{,-cache} (git-ignored: nothing lands in the user's home, a
 *   fresh clone builds from nothing exactly once) and are deleted after a successful build; the version
 *   stamp, not the cache, is what prevents a rebuild.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/** The collector core modules (receivers, processors, exporters, otelcol, service) share this version. */
const OTELCOL_VERSION = 'v0.165.0';
/** The stable confmap modules are versioned 1.x alongside it (the builder's default manifest pairs them). */
const CONFMAP_VERSION = 'v1.71.0';

const REPO = path.resolve(__dirname, '..', '..');
const DIR = path.join(REPO, '.smartscale', 'otelcol');
const BIN = path.join(DIR, 'bin');
const paths = Object.freeze({
  dir: DIR,
  bin: BIN,
  otelcol: path.join(BIN, 'otelcol'),
  stamp: path.join(DIR, 'build.version'),
  src: path.join(DIR, 'src'),
  goPath: path.join(DIR, 'go'),
  goCache: path.join(DIR, 'go-cache'),
});

const log = (msg) => console.log(`[otelcol] ${msg}`);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

const MODULES = [
  ['go.opentelemetry.io/collector/component', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/connector', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/exporter', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/extension', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/otelcol', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/processor', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/receiver', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/service', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/receiver/otlpreceiver', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/processor/batchprocessor', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/exporter/otlphttpexporter', OTELCOL_VERSION],
  ['go.opentelemetry.io/collector/confmap', CONFMAP_VERSION],
  ['go.opentelemetry.io/collector/confmap/provider/envprovider', CONFMAP_VERSION],
  ['go.opentelemetry.io/collector/confmap/provider/fileprovider', CONFMAP_VERSION],
];

const GO_MOD = `module smartscale.local/otelcol

go 1.26.0

require (
${MODULES.map(([m, v]) => `\t${m} ${v}`).join('\n')}
)
`;

// The builder's templates at ${OTELCOL_VERSION}, filled in for these components.
const MAIN_GO = `// Program otelcol is SmartScale's test build of the OpenTelemetry Collector (tools/infra/otelcol.js).
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	envprovider "go.opentelemetry.io/collector/confmap/provider/envprovider"
	fileprovider "go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/exporter"
	otlphttpexporter "go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	batchprocessor "go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/receiver"
	otlpreceiver "go.opentelemetry.io/collector/receiver/otlpreceiver"
	otelconftelemetry "go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
)

func components() (otelcol.Factories, error) {
	var err error
	factories := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
	if factories.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](); err != nil {
		return otelcol.Factories{}, err
	}
	if factories.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if factories.Processors, err = otelcol.MakeFactoryMap[processor.Factory](batchprocessor.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if factories.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](otlphttpexporter.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if factories.Connectors, err = otelcol.MakeFactoryMap[connector.Factory](); err != nil {
		return otelcol.Factories{}, err
	}
	return factories, nil
}

func main() {
	set := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{Command: "otelcol", Description: "SmartScale test collector", Version: "${OTELCOL_VERSION.slice(1)}"},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				// env: otelcol.NewCommand makes "env" the default scheme of \${…} and refuses to start without its provider.
				ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), fileprovider.NewFactory()},
			},
		},
	}
	// cobra already printed the error.
	if err := otelcol.NewCommand(set).Execute(); err != nil {
		os.Exit(1)
	}
}
`;

// The sources' hash too: a component added here rebuilds as a version bump does.
const stampText = () => `otelcol ${OTELCOL_VERSION} confmap ${CONFMAP_VERSION} src ${crypto.createHash('sha256').update(GO_MOD + MAIN_GO).digest('hex').slice(0, 12)}`;

/** Runs a Go command in the scratch module with inherited output; throws on a non-zero exit. */
function go(args) {
  const goFlags = [process.env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' ');
  const env = { ...process.env, GOPATH: paths.goPath, GOCACHE: paths.goCache, GOFLAGS: goFlags, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  const r = spawnSync('go', args, { cwd: paths.src, stdio: 'inherit', env });
  if (r.error) throw new Error(`go could not run (${r.error.message}); the Collector is built with Go ≥ 1.26 on PATH`);
  if (r.status !== 0) throw new Error(`go ${args.join(' ')} failed with exit code ${r.status}; see the go output above`);
}

function isBuilt() {
  const stamp = fs.existsSync(paths.stamp) ? fs.readFileSync(paths.stamp, 'utf8').trim() : null;
  return stamp === stampText() && spawnSync(paths.otelcol, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Builds the Collector once (a stamp holding the versions makes a version bump rebuild); returns paths. */
function ensureBuilt() {
  if (isBuilt()) return paths;
  const t0 = Date.now();
  log(`building the OpenTelemetry Collector ${OTELCOL_VERSION} (otlp receiver, batch processor, otlp_http exporter) from the Go module proxy (a few minutes, once)…`);
  fs.rmSync(paths.stamp, { force: true });
  fs.rmSync(paths.src, { recursive: true, force: true });
  fs.mkdirSync(paths.src, { recursive: true });
  fs.mkdirSync(BIN, { recursive: true });
  fs.writeFileSync(path.join(paths.src, 'go.mod'), GO_MOD);
  fs.writeFileSync(path.join(paths.src, 'main.go'), MAIN_GO);
  go(['mod', 'tidy']);
  log(`modules resolved at ${secs(t0)}`);
  const tmp = `${paths.otelcol}.tmp`;
  go(['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.']);
  fs.renameSync(tmp, paths.otelcol);
  fs.writeFileSync(paths.stamp, `${stampText()}\n`);
  for (const dir of [paths.goPath, paths.goCache]) fs.rmSync(dir, { recursive: true, force: true });
  log(`built in ${secs(t0)}: ${paths.otelcol}`);
  return paths;
}

module.exports = { ensureBuilt, paths, OTELCOL_VERSION, CONFMAP_VERSION };

if (require.main === module) {
  try {
    ensureBuilt();
    log(`otelcol: ${paths.otelcol}`);
  } catch (err) {
    console.error(`[otelcol] ${err.message}`);
    process.exit(1);
  }
}
