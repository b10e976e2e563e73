using Meshwork.Server;

// Configuration: Meshwork:Data (the applied data folder), optionally Meshwork:Repository, --urls.
await MeshServer.Build(args).RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
