// The node and swarm commands' output, rendered from plain data so the CLI
// only fetches and prints. Each module follows one docker command's layout.

export { filterNodes, parseNodeFilters, type NodeFilters } from './node-filter';
export { renderNodeInspect, nodeInspectJson, nodePrettyText, type NodeInspectJson, type NodeInspectOptions } from './node-inspect';
export { renderNodeList, nodeListJson, sortNodesLikeDocker, type NodeListJson, type NodeListOptions, type TlsStatus } from './node-list';
export { managerStatusOf, type ManagerView, type Reachability, type StoredNode } from './node-status';
export { renderInfo, swarmInfoJson, swarmInfoText, type LocalNodeState, type SwarmInfo } from './swarm-info';
export { renderDockerTable } from './tabwriter';
export { bytesSize, cpuCount, formatSignificant, humanDuration } from './units';
export { goTimeString, prettyPrint } from './docker-text';
export { naturalCompare } from './natural-order';
export {
  renderServiceList,
  serviceListJson,
  servicePortsText,
  replicasText,
  sortServicesLikeDocker,
  type ServiceListEntry,
  type ServiceListJson,
  type ServiceListOptions,
  type StoredService,
} from './service-list';
export {
  renderServicePs,
  currentStateText,
  taskPortsText,
  sortTasksLikeDocker,
  type ServicePsJson,
  type ServicePsOptions,
  type StoredTask,
} from './service-ps';
export {
  renderServiceInspect,
  serviceInspectJson,
  serviceSpecJson,
  servicePrettyText,
  type ServiceInspectJson,
  type ServiceInspectOptions,
  type ServiceSpecJson,
} from './service-inspect';
export {
  renderServiceProgress,
  progressBar,
  progressVerifyLine,
  progressRollbackLine,
  progressInterruptedLines,
  type ProgressFrame,
  type ProgressRenderOptions,
  type ProgressSnapshot,
  type ProgressTask,
  type VerifyState,
} from './service-progress';
export { displayImage, ellipsis, goJsonLine } from './service-text';
export { filterNetworks, parseNetworkFilters, type NetworkFilters } from './network-filter';
export {
  renderNetworkList,
  networkListJson,
  sortNetworksLikeDocker,
  type NetworkListJson,
  type NetworkListOptions,
  type StoredNetwork,
} from './network-list';
export { renderNetworkInspect, networkInspectJson, gatewayOf, type NetworkInspectJson, type NetworkInspectOptions } from './network-inspect';
export { blobJson, filterBlobs, renderBlobInspect, renderBlobList, renderBlobPretty, type StoredBlob } from './secret-view';
