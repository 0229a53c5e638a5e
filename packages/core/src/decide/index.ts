// Filled in by the decide work; exported here so parallel work never edits the package index.
export {};
