using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// Waits until a <see cref="Stopwatch"/> timestamp with microsecond precision at little CPU cost: nanosleep(2) (with
/// the calling thread's timer slack cut from 50 µs to 1 ns) until ~60 µs before, then a short spin. Task.Delay and
/// Thread.Sleep only have millisecond resolution, which would swamp the tens of microseconds a hop adds.
/// </summary>
internal static partial class PreciseClock
{
    private const int PrSetTimerSlack = 29;
    private const long SpinNanos = 60_000;

    /// <summary>Call once on the thread that will wait.</summary>
    public static void PrepareThread()
    {
        if (OperatingSystem.IsLinux()) _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
    }

    public static void WaitUntil(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0) return;
            var nanos = (long)(remaining * (1e9 / Stopwatch.Frequency));
            if (nanos > SpinNanos + 20_000 && OperatingSystem.IsLinux())
            {
                var sleep = nanos - SpinNanos;
                var request = new Timespec(sleep / 1_000_000_000, sleep % 1_000_000_000);
                _ = nanosleep(in request, IntPtr.Zero);
            }
            else if (nanos > SpinNanos + 20_000)
            {
                Thread.Sleep(TimeSpan.FromTicks(nanos / 100));
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    [DllImport("libc", SetLastError = true)]
    private static extern int nanosleep(in Timespec request, IntPtr remaining);

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
