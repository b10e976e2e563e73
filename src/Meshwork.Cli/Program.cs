using Meshwork.Cli;

return MeshCli.Run(args, Console.Out, Console.Error);
