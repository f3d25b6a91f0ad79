using System.Globalization;

namespace Manta.Bench;

/// <summary>Reads another process's CPU time and memory from Linux's /proc.</summary>
internal static class ProcStat
{
    /// <summary>
    /// Clock ticks per second of utime/stime in /proc/&lt;pid&gt;/stat (sysconf(_SC_CLK_TCK)).
    /// Linux fixes USER_HZ at 100 on every architecture .NET runs on.
    /// </summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of <paramref name="pid"/>, or null when it cannot be read.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces; fields after
            // the last ')' start at field 3 (state). utime and stime are fields 14 and 15.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(rest[14 - 3], CultureInfo.InvariantCulture);
            var stime = long.Parse(rest[15 - 3], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A "Vm..." line of /proc/&lt;pid&gt;/status in KiB (VmRSS: resident now, VmHWM: peak resident), or null.</summary>
    public static long? StatusKib(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
                {
                    var value = line[(field.Length + 1)..].Trim();
                    var space = value.IndexOf(' ', StringComparison.Ordinal);
                    return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
                }
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
