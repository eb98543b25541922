// Finds the places in TypeScript source that name a resource kind: a kind's name in any spelling
// (camelCase `trainedModel`, PascalCase in an operation or type name `GetTrainedModel`, snake_case
// in a metric or webhook type `trained_model`, kebab-case in an ARN `trained-model`, words in a
// message "trained model"), as an identifier or prefix of one, in a string, a template or a
// regular expression. Comments are prose and are not read. The spellings are built from the
// declarations in src/kinds, so a kind added there is looked for without touching this file.
import ts from 'typescript';
import { ALL_KINDS } from '../../src/kinds/index.js';

/** One place that names a kind. */
export interface KindMention {
  /** 1-based. */
  line: number;
  /** The kind named. */
  kind: string;
  /** The source text of the token. */
  text: string;
}

/**
 * One pattern per kind: the words of its snake_case name joined by nothing, `_`, `-` or a space,
 * in any case (`audienceGenerationJob`, `AudienceGenerationJob`, `audience_generation_job`,
 * `audience-generation-job`, `audience generation job`, `MLInputChannel`). A configured audience
 * model is another resource of the service (its ARN filters audience generation jobs), not the
 * audience model kind: a word `configured` right before `audience model` is not a mention.
 */
export const KIND_PATTERNS: ReadonlyArray<{ kind: string; re: RegExp }> = [...ALL_KINDS]
  // The longest name first, so `trained-model-inference-job` is reported as itself, not as `trained-model`.
  .sort((a, b) => b.snake.length - a.snake.length)
  .map((k) => {
    const words = k.snake.split('_').join('[-_ ]?');
    const guard = k.snake === 'audience_model' ? '(?<!configured[-_ ]?)' : '';
    return { kind: k.kind, re: new RegExp(`${guard}${words}`, 'i') };
  });

/** The tokens of code that can carry a name: identifiers, strings, templates, regular expressions. */
function isNamingToken(node: ts.Node): node is ts.Identifier | ts.PrivateIdentifier | ts.LiteralLikeNode {
  return (
    ts.isIdentifier(node) ||
    ts.isPrivateIdentifier(node) ||
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateHead(node) ||
    ts.isTemplateMiddle(node) ||
    ts.isTemplateTail(node) ||
    ts.isRegularExpressionLiteral(node)
  );
}

/** Every mention of a kind in the code of one TypeScript file (comments excluded). */
export function kindMentions(fileName: string, text: string): KindMention[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: KindMention[] = [];
  const visit = (node: ts.Node): void => {
    if (isNamingToken(node)) {
      const value = ts.isIdentifier(node) || ts.isPrivateIdentifier(node) ? node.text : node.getText(sf);
      for (const p of KIND_PATTERNS) {
        if (p.re.test(value)) {
          out.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind: p.kind, text: value });
          break;
        }
      }
    }
    // Template heads, middles and tails are children of their template expression and spans.
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return out;
}
