using System.CommandLine;
using System.Globalization;
using Meshwork.Loading;
using Meshwork.Platform.Security;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh token PRINCIPAL [--data DIR] [--ttl DURATION]</c>: the token alone on the last line, for scripts.</summary>
internal static class TokenCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var principal = new Argument<string>("PRINCIPAL") { Description = "A principal of people.yaml." };
        var data = new Option<string>("--data") { Description = "The applied data folder.", DefaultValueFactory = _ => ".mesh" };
        var ttl = new Option<string?>("--ttl") { Description = $"How long the token is valid: 30m, 12h, 7d (default {TokenService.DefaultLifetime.TotalHours:0}h)." };

        var command = new Command("token", "Print a signed bearer token for a principal of people.yaml.") { principal, data, ttl };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var lifetime = parseResult.GetValue(ttl) is { } text ? ParseDuration(text) : TokenService.DefaultLifetime;
            var id = parseResult.GetRequiredValue(principal);
            var token = await platforms.For(parseResult).IssueTokenAsync(Path.GetFullPath(parseResult.GetRequiredValue(data)), id, lifetime, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"# token for '{id}', valid {ShowDuration(lifetime)}; send it as 'Authorization: Bearer <token>'");
            output.WriteLine(token);
            return MeshCli.ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>, or a .NET time span (<c>1.12:00:00</c>).</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        if (char.IsLetter(unit) && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            switch (char.ToLowerInvariant(unit))
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new MeshworkException($"--ttl '{text}' is not a duration; write 30m, 12h or 7d.");
    }

    private static string ShowDuration(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} d"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : $"{span.TotalMinutes:0.#} min";
}
