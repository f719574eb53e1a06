import { Tokenizer } from '@huggingface/tokenizers';

/** The package's tokenizer: text in, ids out, and ids back to text for streaming. */
export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  readonly eosId: number;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown, eos: string) {
    this.tokenizer = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
    const eosId = this.tokenizer.token_to_id(eos);
    if (eosId === undefined) throw new Error(`tokenizer.json has no token for the manifest's EOS "${eos}"`);
    this.eosId = eosId;
  }

  encode(text: string): number[] {
    return text.length === 0 ? [] : this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }
}
