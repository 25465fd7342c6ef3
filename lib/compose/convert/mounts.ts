import type { Mount } from '../../api/service-types';
import type { LoadedStack, ServiceConfig } from '../types';
import { LABEL_NAMESPACE } from './labels';

// A service's volumes as mounts, as docker's convert/volume.go names them: a
// named volume is the stack's `STACK_NAME` (or its `name:`), created with its
// labels by the engine of whichever node runs the task; bind mounts keep their absolute
// source; an entry with no source is an anonymous volume. What a Mount
// cannot carry (tmpfs mounts, volume drivers and options, propagation) is
// left out with a notice; mount types the cluster cannot run at all are
// errors, reported by the caller.

export interface MountResult {
  mounts: Mount[];
  notices: string[];
  /** Index in `service.volumes` and the reason, for entries that cannot be deployed. */
  errors: { index: number; message: string }[];
}

export function convertMounts(stack: LoadedStack, s: ServiceConfig, namespace: string): MountResult {
  const out: MountResult = { mounts: [], notices: [], errors: [] };
  const note = (text: string) => out.notices.push(`service ${s.name}: ${text}`);
  s.volumes.forEach((v, index) => {
    switch (v.type) {
      case 'volume': {
        if (v.volume?.nocopy) note(`volume ${v.target}: nocopy is not supported yet; the image's content is copied in`);
        if (v.volume?.subpath) note(`volume ${v.target}: subpath ${v.volume.subpath} is not supported yet; the whole volume is mounted`);
        if (v.source === '') {
          out.mounts.push({ type: 'volume', source: '', target: v.target, readOnly: v.read_only });
          return;
        }
        const declared = stack.volumes[v.source];
        const name = declared && declared.name !== '' ? declared.name : `${namespace}_${v.source}`;
        const mount: Mount = { type: 'volume', source: name, target: v.target, readOnly: v.read_only };
        // As docker: a volume the stack creates carries its labels and the
        // namespace (which is how `stack rm` finds it again); an external one
        // is used as it is.
        if (declared && !declared.external.external) mount.labels = { ...declared.labels, [LABEL_NAMESPACE]: namespace };
        out.mounts.push(mount);
        return;
      }
      case 'bind':
        if (v.bind?.propagation) note(`bind mount ${v.target}: propagation ${v.bind.propagation} is not supported yet; the engine's default is used`);
        if (v.consistency) note(`bind mount ${v.target}: consistency ${v.consistency} is ignored`);
        out.mounts.push({ type: 'bind', source: v.source, target: v.target, readOnly: v.read_only });
        return;
      case 'tmpfs':
        note(`tmpfs mount ${v.target} is not supported yet and is left out: the path is part of the container's own filesystem`);
        return;
      default:
        out.errors.push({ index, message: `volume type ${v.type} is not supported yet (use volume or bind)` });
    }
  });
  return out;
}
