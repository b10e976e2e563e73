using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Meshwork.Model;

/// <summary>A product's schedule: the <c>meshwork.schedule</c> custom property, a cron expression evaluated in UTC.</summary>
public static class Schedules
{
    public const string Property = "meshwork.schedule";

    /// <summary>Parses 5 fields (minute hour day month weekday) or 6 with seconds first.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CronExpression? cron, [NotNullWhen(false)] out string? error)
    {
        cron = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "it is empty";
            return false;
        }

        try
        {
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            cron = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            error = null;
            return true;
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return false;
        }
    }
}
