/** Containers are made from images of the bundled image store: their ID, config and layer directories. */
import type { BundledImageStore } from '../images/bundled-image-store';
import { chainIds } from '../images/store/chain-id';
import type { ImageResolver } from './manager/backend';

export function imageResolver(images: BundledImageStore): ImageResolver {
  return {
    async resolve(ref) {
      const info = await images.inspectImage(ref);
      return { id: info.id, config: info.config, layerDirs: chainIds(info.layers).map((c) => images.layers.diffPath(c)) };
    },
  };
}
