using System.Buffers;

namespace Mesh.Hbone.Tests;

/// <summary>An <see cref="ArrayPool{T}"/> over the shared pool that counts the buffers currently rented from it.</summary>
internal sealed class CountingPool : ArrayPool<byte>
{
    private long _outstanding, _rentals;

    /// <summary>Buffers rented and not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Rentals since creation.</summary>
    public long Rentals => Interlocked.Read(ref _rentals);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rentals);
        Interlocked.Increment(ref _outstanding);
        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Decrement(ref _outstanding);
        Shared.Return(array, clearArray);
    }
}
