#pragma once
// Services one `lab check` starts once and lends to each lesson that needs them, in place of a
// PostgreSQL cluster and a Redis started and removed for every lesson (a cluster's start costs
// over a second). What a lesson sees stays as if its own: a database created for it alone and
// dropped after it (its connections too), and a Redis emptied of every key before it begins.
#include <optional>
#include <string>

#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"

namespace lab {

struct LessonServices {
    // Empty: no shared PostgreSQL, or Redis (the lesson starts its own if it needs one)
    std::string database_url, redis_url;
};

class SharedServices {
public:
    // Starts the ones asked for, now (before the lab starts any thread: their keepers are forks).
    // One that cannot start is left out, and said so on stderr: each lesson then tries its own
    // and reports why it could not.
    SharedServices(bool postgres, bool redis);
    // The next lesson's turn: the last lesson's database dropped; if it needs them, a fresh
    // database created and Redis flushed. Throws std::runtime_error (one line) if either refuses.
    LessonServices next_lesson(bool needs_database, bool needs_redis);

private:
    std::optional<PrivatePostgres> postgres_;
    std::optional<PrivateRedis> redis_;
    int lessons_ = 0;  // databases lesson_1, lesson_2, …
    bool database_left_ = false;  // lesson_<lessons_> exists
};

}  // namespace lab
