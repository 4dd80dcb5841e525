// The page's editor store, for components React Flow renders (node views get no props of
// ours): the canvas provides it, node views read it.

import { createContext, useContext } from 'react'
import type { EditorStore } from './store'

export const EditorStoreContext = createContext<EditorStore | null>(null)

export function useEditorStoreApi(): EditorStore {
  const store = useContext(EditorStoreContext)
  if (!store) throw new Error('useEditorStoreApi needs an EditorStoreContext provider')
  return store
}
