package dev.loomservice;

import java.util.regex.Pattern;

import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/** {@code matchesPattern} for hamcrest 1.3, which lacks it: the whole string must match. */
public final class Regex {
    private Regex() {
    }

    public static Matcher<String> matches(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(String s) {
                return pattern.matcher(s).matches();
            }

            @Override
            public void describeTo(Description d) {
                d.appendText("a string matching /" + regex + "/");
            }
        };
    }
}
