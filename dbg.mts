import { createRuntime } from './src/runtime/index.js';
const rt = await createRuntime({ detectLocalServer: false });
const a = (name: string) => ({ name, tools: [] as string[] });
const teams: any[] = [
  { topology: 'parallel', agents: [a('a'), a('b'), a('c')], options: { merge: 'vote' } },
  { topology: 'hierarchical', agents: [a('boss'), a('w1'), a('w2')] },
  { topology: 'debate', agents: [a('d1'), a('d2'), a('judge')] },
  { topology: 'star', agents: [a('hub'), a('s1'), a('s2')] },
  { topology: 'maker', agents: [a('maker'), a('c1'), a('c2')] },
  { topology: 'dag', agents: [a('x'), { ...a('y'), dependsOn: ['x'] }, { ...a('z'), dependsOn: ['x', 'y'] }] },
  { topology: 'forest', agents: [a('l1'), a('l2'), { ...a('r1') }, { ...a('l3'), parent: 'r1' }, { ...a('l4'), parent: 'r1' }, a('agg')], options: { aggregator: 'agg' } },
  { topology: 'circular', agents: [a('c1'), a('c2'), a('c3')] },
];
for (const team of teams) {
  const t0 = performance.now();
  const r = await rt.runTask({ prompt: 'What is 2+2?', team: { name: team.topology, ...team } });
  console.log(team.topology, r.status, r.modelCalls, (performance.now()-t0).toFixed(0)+'ms', r.error?.message ?? '', JSON.stringify(r.details ?? null).slice(0, 150));
}
await rt.close();
