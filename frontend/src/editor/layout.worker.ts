// Runs ELK's layered layout off the main thread for layout.ts.

import ELK from 'elkjs/lib/elk.bundled.js'
import type { ElkNode } from 'elkjs/lib/elk-api'

const elk = new ELK()

// Loaded inside a worker, elk.bundled.js installs its own `self.onmessage` (its worker
// protocol) when imported; this module's body runs after the import, so ours replaces it.

self.onmessage = async (event: MessageEvent<{ id: number; graph: ElkNode }>) => {
  const { id, graph } = event.data
  try {
    const result = await elk.layout(graph)
    self.postMessage({ id, result })
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
  }
}
