import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers, ensureGoBuilt, GoBuild, goBuildPaths } from './go-build';
import { repoRoot } from './util';

/*
 * A minimal OpenTelemetry Collector for test/otlp/collector-relay.e2e-spec.ts: the OTLP receiver, the
 * batch processor and the OTLP/HTTP exporter, nothing else; built once into .smartscale/otelcol/bin/
 * (go-build.ts). The official distributions (otelcorecol, otelcol) are not `go install`-able: their go.mod
 * files use `replace` directives. The official builder (go.opentelemetry.io/collector/cmd/builder) would
 * work too, but it is one more binary to build and only templates a main package; so this file writes that
 * main package itself, in the builder's own shape (its main.go.tmpl and components.go.tmpl at the same
 * version), then `go mod tidy` (which resolves the pinned modules' requirements by minimal version
 * selection, checked against the checksum database) and `go build`.
 */

/** The collector core modules (receivers, processors, exporters, otelcol, service) share this version. */
export const OTELCOL_VERSION = 'v0.165.0';
/** The stable confmap modules are versioned 1.x alongside it (the builder's default manifest pairs them). */
export const CONFMAP_VERSION = 'v1.71.0';

const DIR = join(repoRoot(), '.smartscale', 'otelcol');
const { bin: BIN } = goBuildPaths(DIR);
export const otelcolPaths = Object.freeze({
  dir: DIR,
  bin: BIN,
  otelcol: join(BIN, 'otelcol'),
  stamp: join(DIR, 'build.version'),
  src: join(DIR, 'src'),
});
export type OtelcolPaths = typeof otelcolPaths;

const MODULES: [module: string, version: string][] = [
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
const MAIN_GO = `// Program otelcol is SmartScale's test build of the OpenTelemetry Collector (tools/infra/otelcol.ts).
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
const stampText = (): string =>
  `otelcol ${OTELCOL_VERSION} confmap ${CONFMAP_VERSION} src ${createHash('sha256')
    .update(GO_MOD + MAIN_GO)
    .digest('hex')
    .slice(0, 12)}`;

export const otelcolBuild: GoBuild = {
  name: 'otelcol',
  dir: DIR,
  stampFile: 'build.version',
  stamp: stampText,
  verify: () => answers(otelcolPaths.otelcol, ['--version']),
  announce: `building the OpenTelemetry Collector ${OTELCOL_VERSION} (otlp receiver, batch processor, otlp_http exporter) from the Go module proxy (a few minutes, once)…`,
  goHint: 'the Collector is built with Go ≥ 1.26 on PATH',
  build: (go) => {
    const { src, otelcol } = otelcolPaths;
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'go.mod'), GO_MOD);
    writeFileSync(join(src, 'main.go'), MAIN_GO);
    go(['mod', 'tidy'], { cwd: src });
    const tmp = `${otelcol}.tmp`;
    go(['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], { cwd: src });
    renameSync(tmp, otelcol);
    return otelcol;
  },
};

/** Builds the Collector once (a version bump or a changed component list rebuilds); returns its paths. */
export function ensureOtelcol(): OtelcolPaths {
  ensureGoBuilt(otelcolBuild);
  return otelcolPaths;
}
