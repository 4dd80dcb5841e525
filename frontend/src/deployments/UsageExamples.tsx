// How to call an endpoint deployment: curl, Python (the SDK), JavaScript, each copyable.

import { useId, useState } from 'react'
import type { Mappings } from '../api/deployments'
import { CopyButton } from './CopyButton'
import { callShape, curlExample, javascriptExample, pythonExample, TOKEN_PLACEHOLDER } from './examples'

const LANGUAGES = [
  { id: 'curl', label: 'curl' },
  { id: 'python', label: 'Python' },
  { id: 'javascript', label: 'JavaScript' },
] as const

type Language = (typeof LANGUAGES)[number]['id']

export function UsageExamples({
  url,
  name,
  inputMappings,
  types,
  token = TOKEN_PLACEHOLDER,
}: {
  url: string
  name: string
  inputMappings: Mappings
  types?: Record<string, string>
  token?: string
}) {
  const id = useId()
  const [language, setLanguage] = useState<Language>('curl')
  const shape = callShape(inputMappings, types)
  const code =
    language === 'curl'
      ? curlExample(url, token, shape)
      : language === 'python'
        ? pythonExample(url, name, token, shape)
        : javascriptExample(url, token, shape)
  return (
    <div className="usage-examples">
      <div className="usage-examples-bar">
        <div className="segmented" role="radiogroup" aria-label="Example language">
          {LANGUAGES.map((item) => (
            <label key={item.id} className={language === item.id ? 'segmented-on' : undefined}>
              <input
                type="radio"
                name={`${id}-language`}
                value={item.id}
                checked={language === item.id}
                onChange={() => setLanguage(item.id)}
              />
              {item.label}
            </label>
          ))}
        </div>
        <CopyButton text={code} what="example" />
      </div>
      <pre className="usage-code" aria-label={`${LANGUAGES.find((item) => item.id === language)!.label} example`}>
        <code>{code}</code>
      </pre>
    </div>
  )
}
