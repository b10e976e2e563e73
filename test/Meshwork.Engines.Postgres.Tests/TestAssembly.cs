// The shared throwaway PostgreSQL stops as this assembly's tests end (see SharedPostgresServerLifetime).
[assembly: AssemblyFixture(typeof(Meshwork.Testing.SharedPostgresServerLifetime))]
