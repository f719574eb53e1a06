import { memo } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * A package's README.md rendered as Markdown (tables included, for the
 * study's scores). Raw HTML in a card is not rendered (react-markdown's
 * default): a package opened from any URL must not put markup in the page.
 * Images are left out, so that an offline booth fetches nothing for a card.
 * Memoised: the panel around it re-renders at every download progress event.
 */
export const ModelCard = memo(function ModelCard({ text }: { text: string }) {
  return (
    <details className="model-card">
      <summary>Model card</summary>
      <div className="model-card-text" data-testid="model-card">
        <Markdown
          remarkPlugins={[remarkGfm]}
          disallowedElements={['img']}
          unwrapDisallowed
          components={{ a: ({ href, children }) => <a href={href} target="_blank" rel="noreferrer">{children}</a> }}
        >
          {text}
        </Markdown>
      </div>
    </details>
  );
});
