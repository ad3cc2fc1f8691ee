from coach.ui import home_page

home_page.render()
