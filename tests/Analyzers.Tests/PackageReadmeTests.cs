using System.Globalization;
using System.Text.RegularExpressions;
using Channels.Tests;

namespace Channels.Analyzers.Tests;

/// <summary>
/// The package README repeats two facts that live in code, so that a package user has them without the repository:
/// the options with their defaults and the meter's instruments. These tests hold them to the code.
/// </summary>
public sealed partial class PackageReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Repo.Path("docs", "package-readme.md"));

    [Fact]
    public void The_options_table_lists_every_option_with_the_default_it_has()
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var defaults = new ChannelsOptions();
        foreach (Match row in OptionRow().Matches(Readme))
        {
            var names = row.Groups["names"].Value.Split(" / ");
            var values = row.Groups["defaults"].Value.Split(" / ");
            for (var i = 0; i < names.Length; i++)
            {
                var name = names[i].Trim('`');
                name = name.Contains('[', StringComparison.Ordinal) ? name[..name.IndexOf('[', StringComparison.Ordinal)] : name;
                listed.Add(name);
                var property = typeof(ChannelsOptions).GetProperty(name);
                Assert.True(property is not null, $"The README lists ChannelsOptions.{name}, which does not exist");
                if (names.Length == values.Length && Parse(values[i]) is { } documented)
                {
                    var actual = Convert.ToString(property.GetValue(defaults), CultureInfo.InvariantCulture);
                    Assert.True(Convert.ToString(documented, CultureInfo.InvariantCulture) == actual, $"ChannelsOptions.{name}: the README says {values[i]}, the code {actual}");
                }
            }
        }

        Assert.Equal(typeof(ChannelsOptions).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_metrics_table_lists_every_instrument_of_the_meter()
    {
        var source = File.ReadAllText(Repo.Path("src", "Runtime", "Diagnostics", "ChannelsMetrics.cs"));
        var instruments = Instrument().Matches(source).Select(m => m.Groups["name"].Value).ToList();

        Assert.NotEmpty(instruments);
        Assert.Contains("The meter `Channels.SDK`", Readme, StringComparison.Ordinal);
        Assert.All(instruments, name => Assert.Contains($"| `{name}` |", Readme, StringComparison.Ordinal));
    }

    /// <summary>A documented default as the value the property has: "25 s", "8 KiB", "16 MiB", "1,024", "false"; null for prose.</summary>
    private static object? Parse(string text)
    {
        text = text.Trim();
        if (text.EndsWith(" s", StringComparison.Ordinal))
        {
            return TimeSpan.FromSeconds(double.Parse(text[..^2], CultureInfo.InvariantCulture));
        }

        if (bool.TryParse(text, out var flag))
        {
            return flag;
        }

        var scale = text.EndsWith(" KiB", StringComparison.Ordinal) ? 1024 : text.EndsWith(" MiB", StringComparison.Ordinal) ? 1024 * 1024 : 1;
        var number = scale == 1 ? text : text[..^4];
        return int.TryParse(number, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) ? value * scale : null;
    }

    [GeneratedRegex(@"^\| (?<names>`[A-Za-z]+(?:\[""\w+""\])?`(?: / `[A-Za-z]+`)*) \| (?<defaults>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex OptionRow();

    [GeneratedRegex(@"Create\w+<\w+>\(""(?<name>[^""]+)""")]
    private static partial Regex Instrument();
}
