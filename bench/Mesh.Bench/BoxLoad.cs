using System.Globalization;

namespace Mesh.Bench;

/// <summary>
/// How busy the machine was with work that is not this run (other processes on a shared box): busy CPU from
/// /proc/stat minus the CPU of this process and its hops. Printed with the results so a noisy run is visible.
/// </summary>
internal sealed class BoxLoad
{
    private readonly double _busyStart = BusySeconds();
    private readonly DateTime _start = DateTime.UtcNow;

    /// <summary>Seconds of CPU the box spent on other work since construction, and that as a share of the box.</summary>
    public (double OtherCpuSeconds, double Share) Other(double ourCpuSeconds)
    {
        var busy = BusySeconds() - _busyStart;
        var wall = (DateTime.UtcNow - _start).TotalSeconds * Environment.ProcessorCount;
        var other = Math.Max(0, busy - ourCpuSeconds);
        return (other, wall > 0 ? other / wall : 0);
    }

    /// <summary>user+nice+system+irq+softirq+steal of all CPUs, in seconds (USER_HZ = 100).</summary>
    private static double BusySeconds()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / 100.0;
    }

    /// <summary>CPU seconds used so far by this process (all threads).</summary>
    public static double SelfCpuSeconds()
    {
        var fields = File.ReadAllText("/proc/self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
