"""`{% load display %}`: `{{ obj|display_name }}`, what people call an object (core.display)."""

from django import template

from core import display

register = template.Library()


@register.filter
def display_name(obj) -> str:
    return display.display_name(obj)
