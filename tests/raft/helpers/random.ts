export { seededRandom } from '../../../lib/raft/random';
