import type { StackNetworkRequest } from '../../api/network-api';
import type { ServiceSpec } from '../../api/service-types';

// What convertStack gives: the service specs to deploy, the networks to
// create or find (sent with the services), and the stack's other objects as
// the file asked for them, named as docker names them (`STACK_KEY` unless
// the file gives a `name`). `stack deploy` reads each secret's and config's
// file and sends them with the services, whose specs name them by these
// names; `notices` says what will not happen.

export interface StackVolume {
  key: string;
  /** The volume's name on a node: `STACK_KEY`, or the file's `name`. */
  name: string;
  external: boolean;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  services: string[];
}

export interface FileObjectReference {
  service: string;
  /** Path in the container (secrets: under /run/secrets unless absolute). */
  target: string;
  uid: string;
  gid: string;
  /** File mode; 0444 (292) unless given. */
  mode: number;
}

export interface StackFileObject {
  key: string;
  name: string;
  external: boolean;
  /** The file with the content (absolute), for objects the stack creates from a file. */
  file?: string;
  driver: string;
  templateDriver: string;
  labels: Record<string, string>;
  references: FileObjectReference[];
}

export interface ConvertedStack {
  namespace: string;
  /** In the order of the services' names. */
  services: ServiceSpec[];
  /** The networks the services use, sorted by name: what `stack deploy` sends for the manager to create or find. */
  networks: StackNetworkRequest[];
  volumes: StackVolume[];
  secrets: StackFileObject[];
  configs: StackFileObject[];
  /** What the cluster cannot honour yet, one sentence each. */
  notices: string[];
}
