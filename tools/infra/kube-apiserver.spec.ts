import { stagingModules } from './kube-apiserver';

describe(stagingModules.name, () => {
  it('lists the modules k8s.io/kubernetes replaces with its ./staging copies, and only those', () => {
    const goMod = [
      'module k8s.io/kubernetes',
      '',
      'go 1.24.0',
      '',
      'replace (',
      '\tk8s.io/api => ./staging/src/k8s.io/api',
      '\tk8s.io/apiserver => ./staging/src/k8s.io/apiserver',
      '\tgithub.com/some/fork => github.com/other/fork v1.2.3',
      ')',
      '',
    ].join('\n');
    expect(stagingModules(goMod)).toEqual(['k8s.io/api', 'k8s.io/apiserver']);
  });

  it('says the recipe needs a look when the go.mod has no replace block', () => {
    expect(() => stagingModules('module k8s.io/kubernetes\n\ngo 1.24.0\n')).toThrow('has no replace block');
  });
});
