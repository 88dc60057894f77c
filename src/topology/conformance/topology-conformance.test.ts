// The topology conformance suite on the default engine (agentd's step journal on SQLite); on DBOS it runs
// in topology-conformance-dbos.e2e.test.ts.
import { topologyConformanceSuite } from './topology-conformance.js';

topologyConformanceSuite('journal');
