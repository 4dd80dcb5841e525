import { canEdit as roleAllowsEditing, useProjectRole } from '../hooks/useProjectRole'
import { parseId } from '../lib/ids'
import { PipelineNotFound } from '../components/PipelineNotFound'
import { ReactFlowProvider, useReactFlow } from '@xyflow/react'
import { useCallback, useContext, useEffect, useRef, useState } from 'react'
import { Link, UNSAFE_DataRouterContext, useBlocker, useNavigate, useParams } from 'react-router-dom'
import { isApiError } from '../api/client'
import { freezePipeline, getPipeline, itemsOf, listOperations, savePipeline } from '../api/endpoints'
import type { Operation, PipelineDetail, RestoredPipeline } from '../api/types'
import { Dialog } from '../components/Dialog'
import { ErrorState, Spinner } from '../components/States'
import { ActionButton } from '../editor/ActionButton'
import { NOTE_SIZE } from '../editor/annotations/annotations'
import { INPUT_SIZE } from '../editor/inputs/inputs'
import { ExecuteDialog } from '../execute/ExecuteDialog'
import { ExportDialog } from '../export/ExportDialog'
import { EditorCanvas } from '../editor/EditorCanvas'
import { Inspector } from '../editor/Inspector'
import { computeLayout, type Positions } from '../editor/layout'
import { Palette } from '../editor/Palette'
import {
  DocumentMenu,
  DraftRestoreBanner,
  EDITOR_SHORTCUTS,
  ShortcutHelp,
  ShortcutHelpButton,
  VersionHistory,
  clearDraftBackup,
  readDraftBackup,
  useDraftBackup,
  useShortcutHelp,
  type DraftBackup,
} from '../editor/panels'
import { createEditorStore, useEditorStore, type EditorStore, type Position } from '../editor/store'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { isModalOpen, useKeydown } from '../hooks/useKeydown'
import { useResource } from '../hooks/useResource'
import { errorMessage, errorMessages, flattenMessages, isErrorLike } from '../lib/errors'
import { isApplePlatform } from '../lib/keys'
import { YamlDialog } from '../yaml/YamlDialog'

/** How long a refused connection's reason stays on screen. */
export const REFUSAL_MS = 5000
const NODE_HALF = { x: 100, y: 30 }
const NOTE_HALF = { x: NOTE_SIZE.width / 2, y: NOTE_SIZE.height / 2 }

/** The shortcuts this page binds (its keydown handler and the "?" help); no fit-view key. */
const PAGE_SHORTCUTS = EDITOR_SHORTCUTS.filter((shortcut) => shortcut.label !== 'Fit view').flatMap((shortcut) =>
  shortcut.label === 'Show this help'
    ? [{ label: 'Tidy up (auto-layout)', combos: [['Shift', 'L']] }, shortcut]
    : [shortcut],
)

/** How "Tidy up" frames the laid-out graph. */
const LAYOUT_FIT = { padding: 0.2, maxZoom: 1.1, duration: 300 }

/** True when `positions` would move at least one node of `nodes`. */
function movesAny(nodes: { id: string; position: Position }[], positions: Positions): boolean {
  return nodes.some((node) => {
    const next = positions[node.id]
    return next !== undefined && (next.x !== node.position.x || next.y !== node.position.y)
  })
}

/** Focuses the palette's search box (found by its label). */
function focusPaletteSearch() {
  const label = [...document.querySelectorAll('label')].find(
    (element) => element.textContent?.trim() === 'Search operations',
  )
  const input = label ? (label.control ?? (label.htmlFor ? document.getElementById(label.htmlFor) : null)) : null
  if (input instanceof HTMLInputElement) {
    input.focus()
    input.select()
  }
}



export default function PipelineEditorPage() {
  const { id } = useParams()
  const pipelineId = parseId(id)
  if (pipelineId === null) return <PipelineNotFound />
  return <EditorLoader key={pipelineId} id={pipelineId} />
}

function EditorLoader({ id }: { id: number }) {
  const pipeline = useResource((signal) => getPipeline(id, signal), [id])
  const operations = useResource((signal) => listOperations(signal).then(itemsOf), [])
  useDocumentTitle(pipeline.data ? `Edit ${pipeline.data.name}` : pipeline.status === 'error' ? 'Pipeline' : null)

  if (pipeline.status === 'loading' || operations.status === 'loading') {
    return (
      <div className="page">
        <Spinner label="Loading editor…" />
      </div>
    )
  }
  if (pipeline.status === 'error' || !pipeline.data) {
    if (isErrorLike(pipeline.error) && pipeline.error.status === 404) return <PipelineNotFound />
    return (
      <div className="page">
        <ErrorState title="Could not load this pipeline" error={pipeline.error} onRetry={pipeline.reload} />
      </div>
    )
  }
  if (operations.status === 'error' || !operations.data) {
    return (
      <div className="page">
        <ErrorState title="Could not load the operations" error={operations.error} onRetry={operations.reload} />
      </div>
    )
  }
  return (
    <ReactFlowProvider>
      <EditorWorkspace pipeline={pipeline.data} operations={operations.data} onReload={pipeline.reload} />
    </ReactFlowProvider>
  )
}

type SaveOutcome =
  | { kind: 'saved'; version: number }
  | { kind: 'conflict'; message: string }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'error'; message: string }

/** True when keys typed there are text, not editor shortcuts. */
function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type)
  }
  return false
}

function EditorWorkspace({
  pipeline,
  operations,
  onReload,
}: {
  pipeline: PipelineDetail
  operations: Operation[]
  onReload: () => void
}) {
  // Restoring a version needs the editor role; while the role is unknown the button stays hidden.
  const role = useProjectRole(pipeline.project)
  const [store] = useState<EditorStore>(() => createEditorStore())
  const [revision, setRevision] = useState(pipeline.revision)
  const [latestVersion, setLatestVersion] = useState(pipeline.latest_version?.number ?? null)
  const [saving, setSaving] = useState(false)
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null)
  const [refusal, setRefusal] = useState<{ reason: string; at: number } | null>(null)
  const [confirmReload, setConfirmReload] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [showHistory, setShowHistory] = useState(false)
  const [viewingYaml, setViewingYaml] = useState(false)
  const [historyKey, setHistoryKey] = useState(0)
  const [draftBackup, setDraftBackup] = useState<DraftBackup | null>(() => readDraftBackup(pipeline.id))
  const shortcutHelp = useShortcutHelp()
  const savingRef = useRef(false)
  const canvasRef = useRef<HTMLDivElement>(null)
  const { screenToFlowPosition, getNodes, fitView } = useReactFlow()
  const navigate = useNavigate()
  const [layingOut, setLayingOut] = useState(false)
  const layingOutRef = useRef(false)

  const dirty = useEditorStore(store, (state) => state.dirty)
  const canUndo = useEditorStore(store, (state) => state.canUndo)
  const canRedo = useEditorStore(store, (state) => state.canRedo)
  const editorDocument = useEditorStore(store, (state) => state.document)
  const selectedNodeCount = useEditorStore(store, (state) => state.selection.nodes.length)

  // Unsaved changes survive a closed tab: kept in localStorage while dirty.
  useDraftBackup(pipeline.id, revision, editorDocument, dirty)

  // A fresh pipeline answer (first load or Reload) replaces whatever was being edited.
  useEffect(() => {
    store.getState().setOperations(operations)
    store.getState().load(pipeline.graph ?? { nodes: [], edges: [], inputs: [] })
    setRevision(pipeline.revision)
    setLatestVersion(pipeline.latest_version?.number ?? null)
  }, [store, pipeline, operations])

  // Any edit clears a refusal and a stale save outcome (except a conflict, which stays until reloaded).
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.document === previous.document) return
        setRefusal(null)
        setNotice(null)
        setOutcome((current) => (current?.kind === 'conflict' ? current : null))
      }),
    [store],
  )

  useEffect(() => {
    if (!refusal) return
    const timer = window.setTimeout(() => setRefusal(null), REFUSAL_MS)
    return () => window.clearTimeout(timer)
  }, [refusal])

  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  const onRefusal = useCallback((reason: string) => setRefusal({ reason, at: Date.now() }), [])

  const addAt = useCallback(
    (operationId: number, position: Position) => {
      const result = store.getState().addNode(operationId, position)
      if (!result.ok) onRefusal(result.reason)
    },
    [store, onRefusal],
  )

  /** Adds an operation in the middle of the visible canvas (keyboard and double-click). */
  const addAtCentre = useCallback(
    (operation: Operation) => {
      const rect = canvasRef.current?.getBoundingClientRect()
      const centre = rect
        ? screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
        : { x: 0, y: 0 }
      const taken = new Set(
        store.getState().document.nodes.map((node) => `${Math.round(node.position.x)},${Math.round(node.position.y)}`),
      )
      let x = Math.round((centre.x - NODE_HALF.x) / 20) * 20
      let y = Math.round((centre.y - NODE_HALF.y) / 20) * 20
      // Do not stack a new node exactly on another one.
      while (taken.has(`${x},${y}`)) {
        x += 40
        y += 40
      }
      addAt(operation.id, { x, y })
    },
    [store, screenToFlowPosition, addAt],
  )

  /** The middle of the visible canvas, in flow coordinates. */
  const canvasCentre = useCallback(() => {
    const rect = canvasRef.current?.getBoundingClientRect()
    return rect ? screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 }
  }, [screenToFlowPosition])

  /** Adds a note in the middle of the visible canvas, open for typing (N, toolbar, "+" menu). */
  const addNoteAtCentre = useCallback(() => {
    const centre = canvasCentre()
    const taken = new Set(
      (store.getState().document.notes ?? []).map((note) => `${Math.round(note.position.x)},${Math.round(note.position.y)}`),
    )
    let x = Math.round((centre.x - NOTE_HALF.x) / 20) * 20
    let y = Math.round((centre.y - NOTE_HALF.y) / 20) * 20
    while (taken.has(`${x},${y}`)) {
      x += 40
      y += 40
    }
    const result = store.getState().addNote({ x, y })
    if (!result.ok) onRefusal(result.reason)
  }, [store, canvasCentre, onRefusal])

  /** Adds a pipeline input in the middle of the visible canvas, selected (palette, "+" menu). */
  const addInputAtCentre = useCallback(() => {
    const centre = canvasCentre()
    const document = store.getState().document
    const taken = new Set(
      [...document.nodes.map((node) => node.position), ...document.inputs.flatMap((input) => input.position ?? [])].map(
        (position) => `${Math.round(position.x)},${Math.round(position.y)}`,
      ),
    )
    let x = Math.round((centre.x - INPUT_SIZE.width / 2) / 20) * 20
    let y = Math.round((centre.y - INPUT_SIZE.height / 2) / 20) * 20
    while (taken.has(`${x},${y}`)) {
      x += 40
      y += 40
    }
    const result = store.getState().addInput({ x, y })
    if (!result.ok) onRefusal(result.reason)
  }, [store, canvasCentre, onRefusal])

  /** Puts the selected nodes in a new group (Ctrl+G, "+" menu). */
  const groupSelection = useCallback(() => {
    const sizes = Object.fromEntries(getNodes().map((node) => [node.id, node.measured]))
    const result = store.getState().groupSelection(sizes)
    if (!result.ok) onRefusal(result.reason)
  }, [store, getNodes, onRefusal])

  const [executing, setExecuting] = useState(false)
  const [exporting, setExporting] = useState(false)
  const save = useCallback(async () => {
    if (savingRef.current || !store.getState().dirty) return
    savingRef.current = true
    setSaving(true)
    setRefusal(null)
    const snapshot = store.getState().document
    try {
      const saved = await savePipeline(pipeline.id, { graph: store.getState().exportDocument(), revision })
      const newRevision = typeof saved?.revision === 'number' ? saved.revision : revision + 1
      setRevision(newRevision)
      setNotice(null)
      // The graph is saved now, whatever happens to the version below.
      if (store.getState().document === snapshot) store.getState().markSaved()
      try {
        const version = await freezePipeline(pipeline.id, { revision: newRevision })
        setLatestVersion(version.number)
        setOutcome({ kind: 'saved', version: version.number })
        setHistoryKey((key) => key + 1)
      } catch (error) {
        setOutcome({ kind: 'error', message: `Saved, but no version was created: ${errorMessage(error)}` })
      }
    } catch (error) {
      if (isApiError(error) && error.status === 409) {
        setOutcome({ kind: 'conflict', message: errorMessage(error) })
      } else if (isApiError(error) && error.status === 400) {
        const body = error.body as { graph?: unknown } | null
        const problems =
          body && typeof body === 'object' && 'graph' in body ? flattenMessages(body.graph) : errorMessages(error)
        setOutcome({ kind: 'invalid', problems: problems.length ? problems : errorMessages(error) })
      } else {
        setOutcome({ kind: 'error', message: errorMessage(error) })
      }
    } finally {
      savingRef.current = false
      setSaving(false)
    }
  }, [store, pipeline.id, revision])

  /** Runs execute the saved graph: unsaved changes are saved first, then the execute dialog opens. */
  const runFromEditor = useCallback(async () => {
    if (store.getState().dirty) await save()
    if (!store.getState().dirty) setExecuting(true)
  }, [store, save])

  /** Exports the saved graph too: unsaved changes are saved first, then the export dialog opens. */
  const exportFromEditor = useCallback(async () => {
    if (store.getState().dirty) await save()
    if (!store.getState().dirty) setExporting(true)
  }, [store, save])

  /** "Tidy up": lays the graph out left to right (ELK, off the main thread) as one undoable move. */
  const tidyUp = useCallback(async () => {
    if (layingOutRef.current) return
    const before = store.getState().document
    if (!before.nodes.length) return
    layingOutRef.current = true
    setLayingOut(true)
    try {
      const sizes = Object.fromEntries(getNodes().map((node) => [node.id, node.measured]))
      // Pipeline inputs are laid out with the nodes they feed (they sit left of them).
      const inputs = (document: typeof before) =>
        document.inputs.map((input, index) => ({ id: input.name, position: input.position ?? { x: -1000, y: index } }))
      const positions = await computeLayout([...before.nodes, ...inputs(before)], before.edges, sizes)
      const state = store.getState()
      if (movesAny([...state.document.nodes, ...inputs(state.document)], positions)) {
        // Sealed on both sides: the whole layout is one undo step, never merged with a drag.
        // Groups are fitted around their members where the layout put them.
        state.endMove()
        state.moveNodes(positions, { sizes, fitGroups: true })
        state.endMove()
      }
      window.requestAnimationFrame(() => void fitView(LAYOUT_FIT))
    } catch (error) {
      onRefusal(`Could not lay out the graph: ${errorMessage(error)}`)
    } finally {
      layingOutRef.current = false
      setLayingOut(false)
    }
  }, [store, getNodes, fitView, onRefusal])

  useKeydown((event) => {
    if (isModalOpen() || isTextTarget(event.target)) return
    const state = store.getState()
    const mod = event.ctrlKey || event.metaKey
    const key = event.key.toLowerCase()
    if (!mod && !event.altKey && event.shiftKey && key === 'l') {
      event.preventDefault()
      void tidyUp()
      return
    }
    if (!mod && !event.altKey && (event.key === 'Delete' || event.key === 'Backspace')) {
      event.preventDefault()
      state.deleteSelection()
      return
    }
    // N adds a note when the canvas has focus (or nothing has).
    const target = event.target instanceof Node ? event.target : null
    const onCanvas = target === document.body || Boolean(target && canvasRef.current?.contains(target))
    if (!mod && !event.altKey && !event.shiftKey && key === 'n' && onCanvas && !event.repeat) {
      event.preventDefault()
      addNoteAtCentre()
      return
    }
    if (!mod || event.altKey) return
    let handled = true
    if (key === 'z' && !event.shiftKey) state.undo()
    else if ((key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey)) state.redo()
    else if (key === 'c' && !event.shiftKey) state.copy()
    else if (key === 'v' && !event.shiftKey) state.paste()
    else if (key === 'd' && !event.shiftKey) state.duplicate()
    else if (key === 'a' && !event.shiftKey) state.selectAll()
    else if (key === 's' && !event.shiftKey) void save()
    else if (key === 'g' && !event.shiftKey) groupSelection()
    else if (key === 'g' && event.shiftKey) state.ungroupSelection()
    else handled = false
    if (handled) event.preventDefault()
  })

  const onImported = useCallback((count: number) => {
    setNotice(`Imported ${count} ${count === 1 ? 'node' : 'nodes'}: not saved yet`)
  }, [])

  /** A version was restored on the server: its graph is the draft now, at a new revision. */
  const onRestored = useCallback(
    (restored: RestoredPipeline, number: number) => {
      store.getState().load(restored.graph ?? { nodes: [], edges: [], inputs: [] })
      setRevision(restored.revision)
      setOutcome(null)
      setNotice(`Restored version ${number}`)
    },
    [store],
  )

  const restoreDraft = useCallback(() => {
    if (!draftBackup) return
    // Imported as one undoable edit, so the restored changes count as unsaved.
    const result = store.getState().importDocument(draftBackup.document)
    setDraftBackup(null)
    if (result.ok) setNotice('Restored your unsaved changes')
    else {
      clearDraftBackup(pipeline.id)
      setOutcome({ kind: 'invalid', problems: result.problems })
    }
  }, [store, draftBackup, pipeline.id])

  const discardDraft = useCallback(() => {
    clearDraftBackup(pipeline.id)
    setDraftBackup(null)
  }, [pipeline.id])

  const mod = isApplePlatform(typeof navigator === 'undefined' ? '' : navigator.platform) ? '⌘' : 'Ctrl+'

  return (
    <div className="editor-page">
      <header className="editor-toolbar">
        <div className="editor-toolbar-main">
          <nav className="breadcrumbs" aria-label="Breadcrumb">
            <Link to="/pipelines/">Pipelines</Link>
            <span aria-hidden="true">/</span>
            <Link to={`/pipelines/${pipeline.id}/`}>{pipeline.name}</Link>
          </nav>
          <h1 className="editor-title">
            {pipeline.name}
            {dirty ? (
              <span className="editor-dirty" title="Not saved yet">
                Unsaved changes
              </span>
            ) : (
              latestVersion !== null && <span className="version-tag">v{latestVersion}</span>
            )}
          </h1>
        </div>
        <div className="editor-toolbar-actions">
          <DocumentMenu
            pipelineName={pipeline.name}
            exportDocument={store.getState().exportDocument}
            importDocument={store.getState().importDocument}
            onImported={onImported}
            onViewYaml={() => setViewingYaml(true)}
          />
          <button
            type="button"
            className="button button-small"
            aria-pressed={showHistory}
            onClick={() => setShowHistory((value) => !value)}
            title={showHistory ? 'Back to the node inspector' : 'Show the saved versions'}
          >
            History
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={addNoteAtCentre}
            title="Add a note to the canvas (N)"
          >
            Add note
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => void tidyUp()}
            disabled={layingOut || !editorDocument.nodes.length}
            aria-busy={layingOut || undefined}
            title="Lay the graph out left to right (Shift+L)"
          >
            {layingOut ? 'Laying out…' : 'Tidy up'}
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => store.getState().undo()}
            disabled={!canUndo}
            title={`Undo (${mod}Z)`}
          >
            Undo
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => store.getState().redo()}
            disabled={!canRedo}
            title={`Redo (${mod}Shift+Z)`}
          >
            Redo
          </button>
          <button
            type="button"
            className="button button-primary button-small editor-save"
            onClick={() => void save()}
            disabled={!dirty || saving}
            aria-busy={saving || undefined}
            title={`Save and create a version (${mod}S)`}
          >
            {saving && <span className="spinner spinner-small" aria-hidden="true" />}
            {saving ? 'Saving…' : 'Save'}
          </button>
          <ShortcutHelpButton onClick={shortcutHelp.show} />
        </div>
      </header>

      {draftBackup && (
        <DraftRestoreBanner
          savedAt={draftBackup.savedAt}
          changedSince={draftBackup.revision !== revision}
          onRestore={restoreDraft}
          onDiscard={discardDraft}
        />
      )}

      {notice && !outcome && (
        <div className="editor-message is-success" role="status">
          {notice}
        </div>
      )}

      <SaveMessage outcome={outcome} onReload={() => setConfirmReload(true)} onDismiss={() => setOutcome(null)} />

      <div className="editor-body">
        <Palette
          operations={operations}
          onAdd={addAtCentre}
          onAddInput={addInputAtCentre}
          projectId={pipeline.project}
        />
        <div className="editor-canvas-wrap" ref={canvasRef}>
          <EditorCanvas store={store} onRefusal={onRefusal} onDropOperation={addAt} />
          {layingOut && (
            <div className="layout-busy" role="status">
              <span className="spinner spinner-small" aria-hidden="true" />
              Laying out…
            </div>
          )}
          <ActionButton
            items={[
              { label: 'Add node', onSelect: focusPaletteSearch },
              { label: 'Add pipeline input', onSelect: addInputAtCentre },
              { label: 'Add note', hint: 'N', onSelect: addNoteAtCentre },
              {
                label: 'Group selected nodes',
                hint: `${mod}G`,
                onSelect: groupSelection,
                disabled: !selectedNodeCount,
              },
              {
                label: dirty ? 'Save and run…' : 'Run…',
                tone: 'run',
                onSelect: () => void runFromEditor(),
                disabled: saving || !editorDocument.nodes.length,
              },
              {
                label: dirty ? 'Save and export…' : 'Export…',
                tone: 'export',
                onSelect: () => void exportFromEditor(),
                disabled: saving || !editorDocument.nodes.length,
              },
              {
                label: 'Tidy up',
                hint: 'Shift+L',
                onSelect: () => void tidyUp(),
                disabled: layingOut || !editorDocument.nodes.length,
              },
            ]}
          />
          {refusal && (
            <div className="editor-refusal" role="alert" key={refusal.at}>
              {refusal.reason}
            </div>
          )}
        </div>
        {showHistory ? (
          <div className="editor-sidebar editor-inspector editor-history">
            <div className="editor-sidebar-body inspector-body">
              <VersionHistory
                pipelineId={pipeline.id}
                revision={revision}
                canEdit={roleAllowsEditing(role)}
                onRestored={onRestored}
                operations={operations}
                refreshKey={historyKey}
              />
            </div>
          </div>
        ) : (
          <Inspector
            store={store}
            pipeline={{
              name: pipeline.name,
              projectName: pipeline.project_name,
              projectId: pipeline.project,
              revision,
              latestVersion,
            }}
          />
        )}
      </div>

      {confirmReload && (
        <Dialog
          title="Reload the pipeline?"
          description="Your changes here will be lost: the editor shows the pipeline as last saved on the server."
          onClose={() => setConfirmReload(false)}
        >
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setConfirmReload(false)} data-autofocus>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => {
                setConfirmReload(false)
                setOutcome(null)
                onReload()
              }}
            >
              Discard changes and reload
            </button>
          </div>
        </Dialog>
      )}

      <ShortcutHelp open={shortcutHelp.open} onClose={shortcutHelp.hide} shortcuts={PAGE_SHORTCUTS} />
      <NavigationGuard when={dirty} />
      {executing && (
        <ExecuteDialog
          pipelineId={pipeline.id}
          projectId={pipeline.project}
          onClose={() => setExecuting(false)}
          onStarted={(run) => navigate(`/runs/${run.id}/`)}
        />
      )}
      {exporting && (
        <ExportDialog
          pipelineId={pipeline.id}
          projectId={pipeline.project}
          version={null}
          onClose={() => setExporting(false)}
        />
      )}
      {viewingYaml && (
        <YamlDialog
          pipelineId={pipeline.id}
          pipelineName={pipeline.name}
          note={dirty ? 'This is the saved pipeline: save to include your unsaved changes.' : undefined}
          onClose={() => setViewingYaml(false)}
        />
      )}
    </div>
  )
}

function SaveMessage({
  outcome,
  onReload,
  onDismiss,
}: {
  outcome: SaveOutcome | null
  onReload: () => void
  onDismiss: () => void
}) {
  if (!outcome) return null
  if (outcome.kind === 'saved') {
    return (
      <div className="editor-message is-success" role="status">
        Saved as version {outcome.version}
      </div>
    )
  }
  if (outcome.kind === 'conflict') {
    return (
      <div className="editor-message is-error" role="alert">
        <span>{outcome.message}</span>
        <button type="button" className="button button-small" onClick={onReload}>
          Reload
        </button>
      </div>
    )
  }
  return (
    <div className="editor-message is-error" role="alert">
      <div>
        {outcome.kind === 'invalid' ? (
          <>
            <strong>
              The pipeline was not saved: {outcome.problems.length === 1 ? 'a problem' : `${outcome.problems.length} problems`}.
            </strong>
            <ul className="editor-problems">
              {outcome.problems.map((problem, index) => (
                <li key={`${index}-${problem}`}>{problem}</li>
              ))}
            </ul>
          </>
        ) : (
          <span>{outcome.message}</span>
        )}
      </div>
      <button type="button" className="link-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  )
}

/** Asks before leaving with unsaved changes (in-app navigation needs a data router). */
function NavigationGuard({ when }: { when: boolean }) {
  const dataRouter = useContext(UNSAFE_DataRouterContext)
  return dataRouter ? <Blocker when={when} /> : null
}

function Blocker({ when }: { when: boolean }) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => when && currentLocation.pathname !== nextLocation.pathname,
  )
  if (blocker.state !== 'blocked') return null
  return (
    <Dialog
      title="Leave without saving?"
      description="This pipeline has changes that are not saved. Leaving discards them."
      onClose={() => blocker.reset()}
    >
      <div className="form-actions">
        <button type="button" className="button" onClick={() => blocker.reset()} data-autofocus>
          Stay
        </button>
        <button type="button" className="button button-danger" onClick={() => blocker.proceed()}>
          Leave
        </button>
      </div>
    </Dialog>
  )
}
