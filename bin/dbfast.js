#!/usr/bin/env node
// Launcher: everything lives in the built, bundled CLI (dist/cli.mjs, see scripts/bundle-cli.mjs).
import '../dist/cli.mjs';
