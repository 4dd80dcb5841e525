import { createContext, useContext, type ReactNode } from 'react'
import { DEFAULT_BOOT, type Boot } from './boot'

const BootContext = createContext<Boot>(DEFAULT_BOOT)

export function BootProvider({ boot, children }: { boot: Boot; children: ReactNode }) {
  return <BootContext.Provider value={boot}>{children}</BootContext.Provider>
}

export function useBoot(): Boot {
  return useContext(BootContext)
}
