import { it } from 'vitest';
import { buildArtifacts, PROMPT, Session, kiJson } from '../services/shell-driver';
import { Machine } from '../../hw/machine';
import { MemoryBlockStore } from '../../hw/blockdev';
it('dump', async () => {
  const art = buildArtifacts();
  const s = new Session(await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk: new MemoryBlockStore(8192) }));
  s.waitFor(PROMPT, 30);
  console.log(JSON.stringify(kiJson(s.m, 0)).slice(0, 3000));
  console.log(JSON.stringify(kiJson(s.m, 1, 8), null, 0).slice(0, 6000));
}, 60000);
