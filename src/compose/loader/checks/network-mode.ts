/** Check: `network_mode` and `networks` are mutually exclusive (spec: services.network_mode). */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';

export const checkNetworkMode: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    if (typeof svc.network_mode !== 'string' || svc.network_mode === '') return;
    const nets = svc.networks;
    const count = isMap(nets) ? Object.keys(nets).length : isList(nets) ? nets.length : 0;
    if (count === 0) return;
    const path = ['services', service, 'networks'];
    out.push(
      diagnostic(
        locate(tree, path, 'key'),
        path,
        `service "${service}" sets both network_mode "${svc.network_mode}" and networks: they are mutually exclusive, keep only one`,
      ),
    );
  });
  return out;
};
