// Filled in by the rehearsal work; exported here so parallel work never edits the package index.
export {};
