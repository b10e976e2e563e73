namespace Meshwork.Cli.Tests.Commands;

public sealed class InitCommandTests
{
    [Fact]
    public void Init_NewFolder_CreatesAMeshThatLintsCleanStrict()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            var (exitCode, output, _) = CliRunner.Run("init", target, "--domain", "logistics", "--product", "shipments");

            Assert.Equal(0, exitCode);
            Assert.True(File.Exists(Path.Combine(target, "domains/logistics/shipments/product.odps.yaml")), output);
            var lint = CliRunner.Run("lint", target, "--strict");
            Assert.True(lint.ExitCode == 0, lint.Output);
            Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.mesh-init-*"));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Init_EmptyExistingFolder_IsFilled()
    {
        var target = Directory.CreateTempSubdirectory("meshwork-init-empty").FullName;
        try
        {
            Assert.Equal(0, CliRunner.Run("init", target).ExitCode);
            Assert.Equal(0, CliRunner.Run("lint", target, "--strict").ExitCode);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Init_NonEmptyFolder_IsRefusedAndLeftUntouched()
    {
        var target = Directory.CreateTempSubdirectory("meshwork-init-full").FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");
        try
        {
            var (exitCode, _, error) = CliRunner.Run("init", target);

            Assert.Equal(2, exitCode);
            Assert.Contains("not empty", error, StringComparison.Ordinal);
            Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Init_InvalidProductName_IsRefusedWithoutCreatingAnything()
    {
        var target = CliRunner.NewTempPath();

        var (exitCode, _, error) = CliRunner.Run("init", target, "--product", "Bad-Name");

        Assert.Equal(2, exitCode);
        Assert.Contains("Bad-Name", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }
}
