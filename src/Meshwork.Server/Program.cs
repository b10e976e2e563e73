using Meshwork.Server;

// Configuration: Meshwork:Data (the applied data folder), Meshwork:Store (the metadata store; default the data folder's SQLite), --urls.
await MeshServer.Build(args).RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
