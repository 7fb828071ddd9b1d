import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { CostProfile } from './scoring';

/** One NAB data file: rows in file order, never sorted or de-duplicated (DST repeats stay). */
export interface CorpusFile {
  /** path relative to the data dir with '/' separators, as combined_windows.json names it */
  name: string;
  timestamps: string[];
  values: number[];
}

const labelsSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));
const profilesSchema = z.record(
  z.string(),
  z.object({ CostMatrix: z.object({ tpWeight: z.number(), fpWeight: z.number(), fnWeight: z.number() }) }),
);

export type Labels = z.infer<typeof labelsSchema>;

/** NAB's config/profiles.json, used when --profiles is not given. */
export const STANDARD_PROFILES: Record<string, CostProfile> = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
};

export function listCsvFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.csv')) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  // Sorting the file list (not the rows) only makes the report order stable.
  return out.sort();
}

export function parseNabCsv(name: string, text: string): CorpusFile {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const timestamps: string[] = [];
  const values: number[] = [];
  for (const line of lines.slice(1)) {
    const comma = line.indexOf(',');
    const value = Number(line.slice(comma + 1));
    if (comma < 0 || !Number.isFinite(value)) throw new Error(`${name}: bad row "${line}"`);
    timestamps.push(line.slice(0, comma).trim());
    values.push(value);
  }
  return { name, timestamps, values };
}

export function readCorpus(dir: string): CorpusFile[] {
  return listCsvFiles(dir).map((name) => parseNabCsv(name, readFileSync(join(dir, name), 'utf8')));
}

export function readLabels(path: string): Labels {
  return labelsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export function readProfiles(path: string | undefined): Record<string, CostProfile> {
  if (path === undefined) return STANDARD_PROFILES;
  const parsed = profilesSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return Object.fromEntries(
    Object.entries(parsed).map(([name, p]) => [name, { tp: p.CostMatrix.tpWeight, fp: p.CostMatrix.fpWeight, fn: p.CostMatrix.fnWeight }]),
  );
}

/** NAB timestamps carry no zone; reading them as UTC keeps the result machine-independent. */
export function timestampMs(ts: string): number {
  return Date.parse(`${ts.replace(' ', 'T')}Z`);
}
