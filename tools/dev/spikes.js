'use strict';
// The demo's headline figure: from the moment the load steps up to the moment the controller has
// applied a scale-up. Pure functions over the loadgen's parsed steps (tools/loadgen/shapes.ts) and the
// workflow's decisions, so that start.js only feeds them.

/** Every step that at least doubles the rate, as { at (epoch ms), from, to }. */
function spikeStarts(steps, startedAt) {
  const spikes = [];
  let t = startedAt;
  for (let i = 0; i < steps.length; i++) {
    if (i > 0 && steps[i].rate >= 2 * steps[i - 1].rate) spikes.push({ at: t, from: steps[i - 1].rate, to: steps[i].rate });
    t += steps[i].seconds * 1000;
  }
  return spikes;
}

/**
 * For each spike, the seconds until the first applied scale-up decided at or after it (and before the
 * next spike); null while none has landed.
 */
function reactionTimes(spikes, decisions) {
  return spikes.map((spike, i) => {
    const until = spikes[i + 1]?.at ?? Infinity;
    const up = decisions
      .filter((d) => d.action === 'up' && d.applied && d.at >= spike.at && d.at < until)
      .sort((a, b) => a.at - b.at)[0];
    return up ? (up.at - spike.at) / 1000 : null;
  });
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

module.exports = { spikeStarts, reactionTimes, median };
