// The room's QR code (lab/live/qr_code.hpp, made by libqrencode), read back as a phone would: the
// format found and checked by its own code, the mask taken off, the codewords read in the
// standard's order, their Reed-Solomon check, and the bytes they hold. The reader's Reed-Solomon
// is checked against the standard's own worked values first.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "lab/live/qr_code.hpp"

namespace {

std::uint8_t gf_multiply(std::uint8_t x, std::uint8_t y) {  // in GF(256), x^8+x^4+x^3+x^2+1
    int z = 0;
    for (int i = 7; i >= 0; --i) {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= ((y >> i) & 1) * x;
    }
    return static_cast<std::uint8_t>(z);
}

// `count` Reed-Solomon codewords of `data`: the remainder by the generator (x - 2^0)...(x - 2^k).
std::vector<std::uint8_t> reed_solomon(const std::vector<std::uint8_t>& data, int count) {
    std::vector<std::uint8_t> divisor(static_cast<std::size_t>(count));  // (highest term left out)
    divisor.back() = 1;
    std::uint8_t root = 1;
    for (int i = 0; i < count; ++i) {
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

using Modules = std::vector<std::vector<bool>>;

// Whether (x, y) is a module of a pattern, not of data: finders with separators and format,
// timing lines, the alignment pattern (versions 2 to 4), the dark module.
bool pattern_module(int x, int y, int n) {
    if ((x < 9 && y < 9) || (x >= n - 8 && y < 9) || (x < 9 && y >= n - 8)) return true;
    if (x == 6 || y == 6) return true;
    return n > 21 && std::abs(x - (n - 7)) <= 2 && std::abs(y - (n - 7)) <= 2;
}

bool mask_at(int mask, int x, int y) {
    const int m[] = {(x + y) % 2,
                     y % 2,
                     x % 3,
                     (x + y) % 3,
                     (x / 3 + y / 2) % 2,
                     x * y % 2 + x * y % 3,
                     (x * y % 2 + x * y % 3) % 2,
                     ((x + y) % 2 + x * y % 3) % 2};
    return m[mask] == 0;
}

// The text a phone reads from `q`, or why it cannot.
std::string read_back(const Modules& q) {
    const int n = static_cast<int>(q.size());
    if (n < 21 || n > 33 || (n - 17) % 4) return "no version 1-4 size";
    int format = 0;  // the copy beside the top-left finder, bit 14 first
    const std::pair<int, int> spots[] = {{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8},
                                         {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5},
                                         {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}};
    for (auto [x, y] : spots) format = format << 1 | q[y][x];
    int unmasked = format ^ 0x5412,
        check = unmasked;  // a BCH codeword: its remainder by 0x537 is 0
    for (int bit = 14; bit >= 10; --bit)
        if (check >> bit & 1) check ^= 0x537 << (bit - 10);
    if (check != 0) return "format information damaged";
    if ((unmasked >> 13) != 0b01) return "not level L";
    const int mask = unmasked >> 10 & 7;
    std::vector<int> bytes;
    int bit_count = 0, byte = 0;
    for (int right = n - 1; right >= 1; right -= 2) {
        if (right == 6) right = 5;
        for (int step = 0; step < n; ++step)
            for (int j = 0; j < 2; ++j) {
                const bool upward = ((right + 1) & 2) == 0;
                const int x = right - j, y = upward ? n - 1 - step : step;
                if (pattern_module(x, y, n)) continue;
                byte = byte << 1 | (q[y][x] != mask_at(mask, x, y));
                if (++bit_count % 8 == 0) bytes.push_back(byte), byte = 0;
            }
    }
    const int data = n == 21   ? 19
                     : n == 25 ? 34
                     : n == 29 ? 55
                               : 80,
              total = n == 21   ? 26
                      : n == 25 ? 44
                      : n == 29 ? 70
                                : 100;
    if (static_cast<int>(bytes.size()) < total) return "too few codewords";
    std::vector<std::uint8_t> head(bytes.begin(), bytes.begin() + data),
        tail(bytes.begin() + data, bytes.begin() + total);
    if (reed_solomon(head, total - data) != tail) return "error correction does not match";
    if (head[0] >> 4 != 0b0100) return "not byte mode";
    const int length = (head[0] & 0xF) << 4 | head[1] >> 4;
    std::string text;
    for (int i = 0; i < length; ++i)
        text += static_cast<char>((head[1 + i] & 0xF) << 4 | head[2 + i] >> 4);
    return text;
}

}  // namespace

TEST_CASE("the QR reader's Reed-Solomon gives the standard's worked values", "[unit]") {
    // ISO/IEC 18004 Annex I: "01234567" at 1-M, its 16 data codewords and their 10 error correction
    // codewords.
    const std::vector<std::uint8_t> data{0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11,
                                         0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11};
    CHECK(reed_solomon(data, 10) ==
          std::vector<std::uint8_t>{0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55});
}

TEST_CASE("the room's address as a QR code reads back whole, at every version it needs", "[unit]") {
    for (const std::string& url : std::vector<std::string>{
             "http://127.0.0.1:8/g", "http://127.0.0.1:45678/guess",
             "http://192.168.100.200:45678/guess", "http://[fe80::1234:5678:9abc:def0]:45678/guess",
             std::string(78, 'x')}) {
        INFO(url);
        auto q = lab::qr_code(url);
        REQUIRE_FALSE(q.empty());
        CHECK(read_back(q) == url);
    }
    CHECK(lab::qr_code("http://127.0.0.1:8/g").size() == 25);  // 20 bytes: version 2
    CHECK(lab::qr_code(std::string(17, 'x')).size() == 21);  // version 1 at its most
    CHECK(lab::qr_code(std::string(79, 'x')).empty());  // past version 4: none
}
