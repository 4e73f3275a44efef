/**
 * The longest text the CLI analyzes: what the extension accepts with its default settings (maxTokens 512,
 * inputCheck.ts maxCharsForTokens). The engine's own default (analyze.ts DEFAULT_MAX_CHARS, 200,000) is for
 * callers that read a whole document for one position (the hover); the CLI analyzes every token of its
 * text, masked guesses included, and 100,000 short lines (200,000 characters) ran for more than five
 * minutes before it was refused nothing. Beyond this limit it says so (INPUT_TOO_LARGE) at once.
 */
import { maxCharsForTokens } from '../engine/inputCheck';

export const CLI_MAX_CHARS = maxCharsForTokens(512);
