import 'reflect-metadata';

// Integration tests talk to real services and spawn processes: give them room (Jest ignores a per-project testTimeout).
jest.setTimeout(60_000);
