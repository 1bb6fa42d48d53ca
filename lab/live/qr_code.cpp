#include "lab/live/qr_code.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace lab {
namespace {

// Versions 1 to 4 at level L: how many data and error correction codewords (one block each).
struct Version {
    int data, ecc;
};
constexpr Version versions[] = {{19, 7}, {34, 10}, {55, 15}, {80, 20}};

// The symbol as it is drawn: each module dark or light, and whether a pattern fixed it (finders,
// timing, alignment, format), so that data and masks leave it alone.
struct Grid {
    int size;
    std::vector<std::vector<bool>> dark, fixed;
    explicit Grid(int version)
        : size(17 + 4 * version),
          dark(size, std::vector<bool>(size)),
          fixed(size, std::vector<bool>(size)) {}
    void set(int x, int y, bool is_dark) {  // (x: column, y: row, as the standard counts them)
        dark[y][x] = is_dark;
        fixed[y][x] = true;
    }
};

std::uint8_t gf_multiply(std::uint8_t x, std::uint8_t y) {
    int z = 0;
    for (int i = 7; i >= 0; --i) {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= ((y >> i) & 1) * x;
    }
    return static_cast<std::uint8_t>(z);
}

// Mode 0100 (bytes), the count in 8 bits, the bytes, up to 4 zero bits to end, zeros to a whole
// byte, then the pad bytes 0xEC and 0x11 in turn until `capacity` codewords.
std::vector<std::uint8_t> data_codewords(std::string_view text, int capacity) {
    std::vector<bool> bits;
    auto put = [&](unsigned value, int n) {
        for (int i = n - 1; i >= 0; --i) bits.push_back(((value >> i) & 1) != 0);
    };
    put(0b0100, 4);
    put(static_cast<unsigned>(text.size()), 8);
    for (unsigned char ch : text) put(ch, 8);
    put(0, static_cast<int>(
               std::min<std::size_t>(4, static_cast<std::size_t>(capacity) * 8 - bits.size())));
    while (bits.size() % 8) bits.push_back(false);
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < bits.size(); i += 8) {
        unsigned byte = 0;
        for (std::size_t j = 0; j < 8; ++j) byte = byte << 1 | (bits[i + j] ? 1u : 0u);
        out.push_back(static_cast<std::uint8_t>(byte));
    }
    for (std::uint8_t pad = 0xEC; out.size() < static_cast<std::size_t>(capacity);
         pad ^= 0xEC ^ 0x11)
        out.push_back(pad);
    return out;
}

// The format information, twice (beside the top-left finder, and split beside the other two),
// and the dark module that is always beside it.
void draw_format(Grid& g, int mask) {
    const int bits = qr_format_bits(mask), n = g.size;
    auto bit = [&](int i) { return ((bits >> i) & 1) != 0; };
    for (int i = 0; i <= 5; ++i) g.set(8, i, bit(i));
    g.set(8, 7, bit(6));
    g.set(8, 8, bit(7));
    g.set(7, 8, bit(8));
    for (int i = 9; i < 15; ++i) g.set(14 - i, 8, bit(i));
    for (int i = 0; i < 8; ++i) g.set(n - 1 - i, 8, bit(i));
    for (int i = 8; i < 15; ++i) g.set(8, n - 15 + i, bit(i));
    g.set(8, n - 8, true);
}

// Timing lines, the three finders with their light separators, the one alignment pattern of
// versions 2 to 4, and the format's modules (reserved now, drawn again once the mask is chosen).
void draw_function_patterns(Grid& g, int version) {
    const int n = g.size;
    for (int i = 0; i < n; ++i) {
        g.set(6, i, i % 2 == 0);
        g.set(i, 6, i % 2 == 0);
    }
    for (auto [cx, cy] : {std::pair{3, 3}, std::pair{n - 4, 3}, std::pair{3, n - 4}})
        for (int dy = -4; dy <= 4; ++dy)
            for (int dx = -4; dx <= 4; ++dx) {
                const int x = cx + dx, y = cy + dy, ring = std::max(std::abs(dx), std::abs(dy));
                if (x >= 0 && x < n && y >= 0 && y < n) g.set(x, y, ring != 2 && ring != 4);
            }
    if (version >= 2)
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx)
                g.set(n - 7 + dx, n - 7 + dy, std::max(std::abs(dx), std::abs(dy)) != 1);
    draw_format(g, 0);
}

// The codewords' bits, two columns at a time from the bottom right, up then down, skipping the
// vertical timing line; the few modules left over stay light.
void draw_codewords(Grid& g, const std::vector<std::uint8_t>& codewords) {
    std::size_t i = 0;
    for (int right = g.size - 1; right >= 1; right -= 2) {
        if (right == 6) right = 5;
        const bool upward = ((right + 1) & 2) == 0;
        for (int step = 0; step < g.size; ++step)
            for (int j = 0; j < 2; ++j) {
                const int x = right - j, y = upward ? g.size - 1 - step : step;
                if (g.fixed[y][x] || i >= codewords.size() * 8) continue;
                g.dark[y][x] = ((codewords[i >> 3] >> (7 - (i & 7))) & 1) != 0;
                ++i;
            }
    }
}

bool masked(int mask, int x, int y) {
    switch (mask) {
        case 0: return (x + y) % 2 == 0;
        case 1: return y % 2 == 0;
        case 2: return x % 3 == 0;
        case 3: return (x + y) % 3 == 0;
        case 4: return (x / 3 + y / 2) % 2 == 0;
        case 5: return x * y % 2 + x * y % 3 == 0;
        case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
        default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
    }
}

// What makes a symbol hard to read (the standard's four rules): long runs of one colour, 2×2
// blocks, look-alikes of a finder, and an uneven share of dark.
long penalty(const Grid& g) {
    static const bool finder_like[2][11] = {{1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0},
                                            {0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1}};
    const int n = g.size;
    long p = 0, dark = 0;
    for (bool rows : {true, false})
        for (int a = 0; a < n; ++a) {
            auto at = [&](int b) { return rows ? g.dark[a][b] : g.dark[b][a]; };
            for (int b = 0, run = 0; b < n; ++b) {
                run = b > 0 && at(b) == at(b - 1) ? run + 1 : 1;
                if (run == 5) p += 3;
                else if (run > 5) p += 1;
            }
            for (int b = 0; b + 11 <= n; ++b)
                for (const auto& pattern : finder_like) {
                    bool same = true;
                    for (int k = 0; k < 11 && same; ++k) same = at(b + k) == pattern[k];
                    if (same) p += 40;
                }
        }
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            dark += g.dark[y][x];
            if (x + 1 < n && y + 1 < n && g.dark[y][x] == g.dark[y][x + 1] &&
                g.dark[y][x] == g.dark[y + 1][x] && g.dark[y][x] == g.dark[y + 1][x + 1])
                p += 3;
        }
    return p + 10 * (std::abs(dark * 100 / (n * n) - 50) / 5);
}

}  // namespace

std::vector<std::uint8_t> reed_solomon(const std::vector<std::uint8_t>& data, int count) {
    std::vector<std::uint8_t> divisor(
        static_cast<std::size_t>(count));  // the generator, highest term left out
    divisor.back() = 1;
    std::uint8_t root = 1;
    for (int i = 0; i < count; ++i) {  // times (x - 2^i)
        for (std::size_t j = 0; j < divisor.size(); ++j) {
            divisor[j] = gf_multiply(divisor[j], root);
            if (j + 1 < divisor.size()) divisor[j] ^= divisor[j + 1];
        }
        root = gf_multiply(root, 0x02);
    }
    std::vector<std::uint8_t> remainder(divisor.size());
    for (std::uint8_t byte : data) {
        const std::uint8_t factor = byte ^ remainder.front();
        remainder.erase(remainder.begin());
        remainder.push_back(0);
        for (std::size_t i = 0; i < remainder.size(); ++i)
            remainder[i] ^= gf_multiply(divisor[i], factor);
    }
    return remainder;
}

int qr_format_bits(int mask) {
    const int data = 0b01 << 3 | mask;  // level L is 01
    int remainder = data;
    for (int i = 0; i < 10; ++i) remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537);
    return (data << 10 | remainder) ^ 0x5412;
}

std::vector<std::vector<bool>> qr_code(std::string_view text) {
    int version = 1;
    while (version <= 4 && text.size() + 2 > static_cast<std::size_t>(versions[version - 1].data))
        ++version;
    if (version > 4) return {};
    const Version v = versions[version - 1];
    std::vector<std::uint8_t> codewords = data_codewords(text, v.data);
    const std::vector<std::uint8_t> ecc = reed_solomon(codewords, v.ecc);
    codewords.insert(codewords.end(), ecc.begin(), ecc.end());
    Grid plain(version);
    draw_function_patterns(plain, version);
    draw_codewords(plain, codewords);
    Grid best = plain;
    long least = -1;
    for (int mask = 0; mask < 8; ++mask) {
        Grid g = plain;
        for (int y = 0; y < g.size; ++y)
            for (int x = 0; x < g.size; ++x)
                if (!g.fixed[y][x] && masked(mask, x, y)) g.dark[y][x] = !g.dark[y][x];
        draw_format(g, mask);
        if (long p = penalty(g); least < 0 || p < least) least = p, best = std::move(g);
    }
    return best.dark;
}

}  // namespace lab
