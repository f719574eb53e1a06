/** Reads an image from the clipboard (the Paste button); a string says why there is none. */
export async function pasteFromClipboard(): Promise<File | string> {
  if (!navigator.clipboard?.read) {
    return 'This browser does not let the page read the clipboard. Press Ctrl+V (⌘V on a Mac) on the page to paste the image instead.';
  }
  let items: ClipboardItems;
  try {
    items = await navigator.clipboard.read();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NotAllowedError') {
      return 'The browser did not allow reading the clipboard. Press Ctrl+V (⌘V on a Mac) on the page to paste the image instead.';
    }
    return `The clipboard could not be read (${(error as Error).message}). Press Ctrl+V (⌘V on a Mac) on the page instead.`;
  }
  for (const item of items) {
    const type = item.types.find((t) => t.startsWith('image/'));
    if (type) {
      const blob = await item.getType(type);
      return new File([blob], `pasted-image.${type.split('/')[1]?.split('+')[0] ?? 'png'}`, { type });
    }
  }
  return 'The clipboard holds no image. Copy an image first (right-click it, Copy image), then press Paste.';
}

/** The image in a paste event (Ctrl+V anywhere on the page), or null when it carries none. */
export function imageFromPasteEvent(event: ClipboardEvent): File | null {
  for (const item of Array.from(event.clipboardData?.items ?? [])) {
    if (item.kind === 'file' && item.type.startsWith('image/')) {
      const file = item.getAsFile();
      if (file) return file.name && file.name !== 'image.png' ? file : new File([file], `pasted-image.${item.type.split('/')[1] ?? 'png'}`, { type: item.type });
    }
  }
  return null;
}
